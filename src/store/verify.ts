import { GENESIS_HASH, recordHash } from '../domain/canonical.js';
import { platformRecordSchema, type PlatformRecord } from '../domain/record.js';
import { getMeta, type Db } from './db.js';
import { sessionIdOf } from './records.js';

/**
 * Checks the pad's hash chain (docs/protocols/platform-api.md §2) as stored: every body hashes to its `hash`,
 * links to its predecessor, sits at the right deviceSeq, agrees with the indexed columns that
 * queries read instead of the body, and the chain ends where meta says it does. Read-only.
 *
 * Retention deletes a delivered prefix and leaves `retention_anchor` ({deviceSeq, hash} of the
 * last deleted record); the walk starts from it. Not covered: `records.created_ms` (local
 * bookkeeping, not part of the record), and an attacker who rewrites every hash from the edit
 * onward together with meta — only the platform's copy can show that.
 */

export type ChainProblem =
  | 'bad_anchor'
  | 'seq_gap'
  | 'seq_mismatch'
  | 'body_unparseable'
  | 'body_invalid'
  | 'hash_mismatch'
  | 'hash_column_mismatch'
  | 'prev_hash_mismatch'
  | 'prev_hash_column_mismatch'
  | 'column_mismatch'
  | 'missing_tail'
  | 'chain_head_mismatch'
  | 'last_seq_mismatch';

export type VerifyResult =
  | { ok: true; count: number }
  | {
      ok: false;
      firstBroken: { deviceSeq: number; recordId: string | null; problem: string };
      checked: number;
    };

export interface ChainAnchor {
  deviceSeq: number;
  hash: string;
}

export const RETENTION_ANCHOR_KEY = 'retention_anchor';

export function readAnchor(db: Db): ChainAnchor | 'invalid' {
  const raw = getMeta(db, RETENTION_ANCHOR_KEY);
  if (raw === undefined) return { deviceSeq: 0, hash: GENESIS_HASH };
  try {
    const v = JSON.parse(raw) as Partial<ChainAnchor>;
    if (
      Number.isInteger(v.deviceSeq) &&
      (v.deviceSeq as number) >= 1 &&
      typeof v.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(v.hash)
    ) {
      return { deviceSeq: v.deviceSeq as number, hash: v.hash };
    }
  } catch {
    /* reported below */
  }
  return 'invalid';
}

function readRestart(db: Db): ChainAnchor | null {
  const raw = getMeta(db, 'chain_restart');
  if (raw === undefined) return null;
  try {
    const v = JSON.parse(raw) as Partial<ChainAnchor>;
    if (Number.isInteger(v.deviceSeq) && typeof v.hash === 'string')
      return { deviceSeq: v.deviceSeq as number, hash: v.hash };
  } catch {
    /* an unreadable restart mark is ignored: the walk then reports the gap it hides */
  }
  return null;
}

interface Row {
  device_seq: number;
  record_id: string;
  evaluation_id: string;
  project_no: string;
  service_number: number;
  staff_id: string;
  status: string;
  satisfaction: number | null;
  body: string;
  prev_hash: string;
  hash: string;
}

/** The first disagreement between a row's columns and its body, or null. */
function columnProblem(row: Row, rec: PlatformRecord): string | null {
  const pairs: Array<[string, unknown, unknown]> = [
    ['record_id', row.record_id, rec.evaluationId],
    ['evaluation_id', row.evaluation_id, sessionIdOf(rec.evaluationId)],
    ['project_no', row.project_no, rec.projectNo],
    ['service_number', row.service_number, rec.serviceNumber],
    ['staff_id', row.staff_id, rec.staffId],
    ['status', row.status, rec.status],
    ['satisfaction', row.satisfaction, rec.satisfaction ?? null],
  ];
  for (const [col, stored, inBody] of pairs) {
    if (stored !== inBody)
      return `column_mismatch: ${col} is ${JSON.stringify(stored)}, body says ${JSON.stringify(inBody)}`;
  }
  return null;
}

export function verifyChain(db: Db): VerifyResult {
  const anchor = readAnchor(db);
  if (anchor === 'invalid') {
    return {
      ok: false,
      firstBroken: {
        deviceSeq: 0,
        recordId: null,
        problem: 'bad_anchor: retention_anchor in meta is not {deviceSeq, hash}',
      },
      checked: 0,
    };
  }
  // After a continuation (continuation.ts) the chain starts again at the platform's position;
  // salvaged records below it are not a chain any more and are not walked.
  const restart = readRestart(db);
  const start = restart !== null && restart.deviceSeq > anchor.deviceSeq ? restart : anchor;
  let prevSeq = start.deviceSeq;
  let prevHash = start.hash;
  let count = 0;
  const broken = (deviceSeq: number, recordId: string | null, problem: string): VerifyResult => ({
    ok: false,
    firstBroken: { deviceSeq, recordId, problem },
    checked: count,
  });

  const rows = db
    .prepare(
      `SELECT device_seq, record_id, evaluation_id, project_no, service_number, staff_id, status, satisfaction,
              body, prev_hash, hash
       FROM records WHERE device_seq > ? ORDER BY device_seq`,
    )
    .iterate(
      restart !== null && restart.deviceSeq > anchor.deviceSeq ? restart.deviceSeq : -1,
    ) as IterableIterator<Row>;
  try {
    for (const row of rows) {
      const seq = row.device_seq;
      if (seq !== prevSeq + 1) {
        const problem =
          seq <= prevSeq
            ? `seq_mismatch: deviceSeq ${seq} at or before the anchor ${prevSeq}`
            : `seq_gap: records ${prevSeq + 1}..${seq - 1} are missing`;
        return broken(prevSeq + 1, row.record_id, problem);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(row.body);
      } catch {
        return broken(seq, row.record_id, 'body_unparseable');
      }
      const valid = platformRecordSchema.safeParse(parsed);
      if (!valid.success) {
        const issue = valid.error.issues[0];
        return broken(
          seq,
          row.record_id,
          `body_invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema'}`,
        );
      }
      // Hash what is stored, not what zod hands back: the check must see every byte-level field.
      const rec = parsed as PlatformRecord;
      if (rec.deviceSeq !== seq)
        return broken(seq, row.record_id, `seq_mismatch: body says deviceSeq ${rec.deviceSeq}`);
      if (recordHash(rec as unknown as Record<string, unknown>) !== rec.hash)
        return broken(seq, row.record_id, 'hash_mismatch: body does not hash to its hash');
      if (row.hash !== rec.hash) return broken(seq, row.record_id, 'hash_column_mismatch');
      if (rec.prevHash !== prevHash)
        return broken(seq, row.record_id, 'prev_hash_mismatch: does not link to the previous record');
      if (row.prev_hash !== rec.prevHash) return broken(seq, row.record_id, 'prev_hash_column_mismatch');
      const col = columnProblem(row, rec);
      if (col !== null) return broken(seq, row.record_id, col);
      prevSeq = seq;
      prevHash = rec.hash;
      count += 1;
    }
  } finally {
    rows.return?.();
  }

  const lastSeq = Number(getMeta(db, 'last_device_seq') ?? '0');
  const head = getMeta(db, 'chain_head') ?? GENESIS_HASH;
  if (lastSeq > prevSeq) {
    return broken(prevSeq + 1, null, `missing_tail: records ${prevSeq + 1}..${lastSeq} are missing`);
  }
  if (lastSeq !== prevSeq)
    return broken(prevSeq, null, `last_seq_mismatch: meta last_device_seq is ${lastSeq}`);
  if (head !== prevHash)
    return broken(prevSeq, null, 'chain_head_mismatch: the last record is not the chain head');
  return { ok: true, count };
}
