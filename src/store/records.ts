import { GENESIS_HASH, recordHash } from '../domain/canonical.js';
import { isBadLead, type PlatformRecord, type UnsealedRecord } from '../domain/record.js';
import { getMeta, setMeta, type Db } from './db.js';

/**
 * Seals records into the hash chain and queues them for upload. Must be called inside the same
 * transaction as the evaluation change it belongs to, so a record and its outbox row exist
 * together or not at all. deviceSeq and the chain head live in `meta` so they survive retention
 * deleting old delivered rows.
 */
export function appendRecords(db: Db, records: UnsealedRecord[], nowMs: number): PlatformRecord[] {
  if (!db.inTransaction) throw new Error('appendRecords must run inside a transaction');
  // After a rebuild the next number is unknown until the platform says (continuation.ts).
  if (getMeta(db, 'seq_wait_platform') === '1') throw new SequenceUnknownError();
  let lastSeq = Number(getMeta(db, 'last_device_seq') ?? '0');
  let prevHash = getMeta(db, 'chain_head') ?? GENESIS_HASH;
  const insertRecord = db.prepare(
    `INSERT INTO records (device_seq, record_id, evaluation_id, project_no, service_number, staff_id, status,
       satisfaction, body, prev_hash, hash, created_ms)
     VALUES (@deviceSeq, @recordId, @evaluationId, @projectNo, @serviceNumber, @staffId, @status,
       @satisfaction, @body, @prevHash, @hash, @createdMs)`,
  );
  const insertOutbox = db.prepare(
    `INSERT INTO outbox (kind, ref, device_seq, urgent, created_ms) VALUES ('record', ?, ?, ?, ?)`,
  );
  const sealed: PlatformRecord[] = [];
  for (const unsealed of records) {
    lastSeq += 1;
    const withChain = { ...unsealed, deviceSeq: lastSeq, prevHash };
    const hash = recordHash(withChain);
    const record = { ...withChain, hash } as PlatformRecord;
    insertRecord.run({
      deviceSeq: lastSeq,
      recordId: record.evaluationId,
      evaluationId: sessionIdOf(record.evaluationId),
      projectNo: record.projectNo,
      serviceNumber: record.serviceNumber,
      staffId: record.staffId,
      status: record.status,
      satisfaction: record.satisfaction ?? null,
      body: JSON.stringify(record),
      prevHash,
      hash,
      createdMs: nowMs,
    });
    // 差评即时响应: every 差评 lead goes out at once, whichever step produced it.
    const urgent = isBadLead(record) ? 1 : 0;
    insertOutbox.run(record.evaluationId, lastSeq, urgent, nowMs);
    prevHash = hash;
    sealed.push(record);
  }
  setMeta(db, 'last_device_seq', String(lastSeq));
  setMeta(db, 'chain_head', prevHash);
  return sealed;
}

/** Record ids are `<evaluationId>` or `<evaluationId>-<n>` for multi-case evaluations. */
export function sessionIdOf(recordId: string): string {
  const m = /^(.*)-(\d{1,2})$/.exec(recordId);
  return m?.[1] ?? recordId;
}

export function readRecord(db: Db, recordId: string): PlatformRecord | undefined {
  const row = db.prepare('SELECT body FROM records WHERE record_id = ?').get(recordId) as
    { body: string } | undefined;
  return row ? (JSON.parse(row.body) as PlatformRecord) : undefined;
}

export class SequenceUnknownError extends Error {
  readonly code = 'HCP_SEQ_UNKNOWN';
  constructor() {
    super(
      '数据库已重建，等待平台序号 / database rebuilt: waiting for the platform sequence before sealing records',
    );
    this.name = 'SequenceUnknownError';
  }
}
