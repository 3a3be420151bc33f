import type { UnsealedRecord } from '../../../src/domain/record.js';
import { formatCst } from '../../../src/domain/time.js';
import type { Db } from '../../../src/store/db.js';
import { appendRecords } from '../../../src/store/records.js';

/** A realistic record; `over` replaces fields (undefined removes one). */
export function makeRecord(id: string, atMs: number, over: Partial<UnsealedRecord> = {}): UnsealedRecord {
  const rec: UnsealedRecord = {
    evaluationId: id,
    projectNo: `P${id}`,
    serviceNumber: 1,
    taskCode: '370900-001-XK-01',
    taskName: '食品经营许可（新办）',
    promiseType: 1,
    hallCode: 'TA-HALL-01',
    windowNo: '12',
    areaCode: '370900',
    staffId: 'S1024',
    staffName: '王晓燕',
    pf: '4',
    status: 'rated',
    satisfaction: 5,
    inputSource: 'key',
    startedTime: formatCst(atMs - 30_000),
    assessTime: formatCst(atMs),
    deviceTimeMs: atMs,
    clockOffsetMs: -120,
    ...over,
  };
  for (const k of Object.keys(rec) as Array<keyof UnsealedRecord>) if (rec[k] === undefined) delete rec[k];
  return rec;
}

/** Varied records: rated good and bad (with reasons and comment), unrated, batches, risk flags. */
export function variedRecord(i: number, atMs: number): UnsealedRecord {
  const id = `ev${String(i).padStart(4, '0')}`;
  switch (i % 5) {
    case 0:
      return makeRecord(id, atMs);
    case 1:
      return makeRecord(id, atMs, {
        satisfaction: 1,
        evalDetail: '213,214',
        normVersion: '2020.1',
        writingEvaluation: '等了很久，"窗口"无人',
      });
    case 2:
      return makeRecord(id, atMs, {
        status: 'unrated',
        satisfaction: undefined,
        assessTime: undefined,
        inputSource: undefined,
      });
    case 3:
      return makeRecord(`${id}-${(i % 3) + 1}`, atMs, {
        groupId: id,
        groupType: 'batch',
        satisfaction: 4,
        inputSource: 'touch',
        riskFlags: ['fast_rating'],
      });
    default:
      return makeRecord(id, atMs, {
        promiseType: 2,
        serviceNumber: 3,
        satisfaction: 3,
        riskFlags: ['burst', 'key_and_touch'],
      });
  }
}

/** Appends `sizes.length` transactions of the given sizes; returns the next record index. */
export function appendBatches(
  db: Db,
  sizes: number[],
  startIdx: number,
  atMs: number,
  stepMs = 60_000,
): number {
  let i = startIdx;
  for (const size of sizes) {
    // A batch is sealed at one time, which is every record's deviceTimeMs, as on the pad.
    const sealedAt = atMs + (i + size) * stepMs;
    const recs: UnsealedRecord[] = [];
    for (let k = 0; k < size; k++) {
      recs.push(variedRecord(i, sealedAt));
      i += 1;
    }
    db.transaction(() => appendRecords(db, recs, sealedAt))();
  }
  return i;
}
