import type { PlatformRecord } from '../domain/record.js';
import { getMeta, setMeta, type Db } from './db.js';
import { recordJsonBytes } from './record-codec.js';
import { recordJsonSql } from './records.js';
import { rowValueColumns } from './row-values.js';

export interface PendingRecord {
  outboxId: number;
  deviceSeq: number;
  urgent: boolean;
  attempts: number;
  recordId: string;
  body: string; // the record's JSON as sealed (canonical body, hash appended)
}

/** The outbox columns and record JSON of pending records; `o` is the outbox, `r` the record. */
export const PENDING_RECORD_COLUMNS = `o.id AS outboxId, o.device_seq AS deviceSeq, o.urgent AS urgent, o.attempts AS attempts,
  r.record_id AS recordId, ${recordJsonSql('r')} AS body`;

export interface OutboxStats {
  pending: number;
  urgentPending: number;
  rejected: number;
  oldestPendingMs: number | null;
  lastAckMs: number | null;
}

/** Pending evaluation records in deviceSeq order (the platform wants them in order). */
export function pendingRecords(db: Db, limit: number): PendingRecord[] {
  return pendingRecordsBetween(db, 0, Number.MAX_SAFE_INTEGER, limit);
}

/**
 * Pending records with `afterSeq < deviceSeq <= throughSeq`, in deviceSeq order, at most `limit`.
 * The uploader reads a batch a slice at a time with it (uploader.ts): each row is inflated as it
 * is read, and a whole batch in one call would hold a key press for that long.
 */
export function pendingRecordsBetween(
  db: Db,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): PendingRecord[] {
  const rows = db
    .prepare(
      `SELECT ${PENDING_RECORD_COLUMNS}
       FROM outbox o JOIN records r ON r.record_id = o.ref
       WHERE o.kind = 'record' AND o.state = 'pending' AND o.device_seq > ? AND o.device_seq <= ?
       ORDER BY o.device_seq LIMIT ?`,
    )
    .all(afterSeq, throughSeq, limit) as Array<Omit<PendingRecord, 'urgent'> & { urgent: number }>;
  return rows.map((r) => ({ ...r, urgent: r.urgent === 1 }));
}

/** A pending record as the uploader sends it: its upload JSON's UTF-8 bytes (recordJsonBytes). */
export interface PendingRecordJson {
  deviceSeq: number;
  recordId: string;
  json: Buffer;
}

/**
 * As pendingRecordsBetween, each record's upload JSON as UTF-8 bytes, byte for byte the text
 * `record_json` gives, read without making a string of it (record-codec.ts `recordJsonBytes`).
 */
export function pendingRecordJsonBetween(
  db: Db,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): PendingRecordJson[] {
  // The row's values under their column names (row-values.ts rowValueColumns): device_seq,
  // created_ms, record_id, satisfaction, staff_id, status.
  const rows = db
    .prepare(
      `SELECT o.device_seq AS deviceSeq, r.record_id AS recordId, typeof(r.body) AS bodyType,
         CASE typeof(r.body) WHEN 'blob' THEN hex(r.body) ELSE r.body END AS body, r.hash AS hash,
         ${rowValueColumns('r')}
       FROM outbox o JOIN records r ON r.record_id = o.ref
       WHERE o.kind = 'record' AND o.state = 'pending' AND o.device_seq > ? AND o.device_seq <= ?
       ORDER BY o.device_seq LIMIT ?`,
    )
    .all(afterSeq, throughSeq, limit) as Array<{
    deviceSeq: number;
    recordId: string;
    bodyType: string;
    body: unknown;
    hash: unknown;
    device_seq: unknown;
    created_ms: unknown;
    record_id: unknown;
    satisfaction: unknown;
    staff_id: unknown;
    status: unknown;
  }>;
  return rows.map((r) => ({
    deviceSeq: r.deviceSeq,
    recordId: r.recordId,
    json: recordJsonBytes(r.bodyType, r.body, r.hash, [
      r.device_seq,
      r.created_ms,
      r.record_id,
      r.satisfaction,
      r.staff_id,
      r.status,
    ]),
  }));
}

/** Whether a record at or below `deviceSeq` still waits (the pending index answers). */
export function hasPendingThrough(db: Db, deviceSeq: number): boolean {
  return (
    db
      .prepare(`SELECT 1 FROM outbox WHERE kind = 'record' AND state = 'pending' AND device_seq <= ? LIMIT 1`)
      .get(deviceSeq) !== undefined
  );
}

export function hasUrgentPending(db: Db): boolean {
  return (
    db
      .prepare(`SELECT 1 FROM outbox WHERE kind = 'record' AND state = 'pending' AND urgent = 1 LIMIT 1`)
      .get() !== undefined
  );
}

/**
 * The platform's acknowledgement. A delivered record's outbox row is deleted, not kept as
 * 'delivered' (decision 175): no query asks for delivered rows, and on a pad that has uploaded
 * they were the bulk of the table. What "delivered" still has to answer is kept small:
 *  - no outbox row for a record means delivered (a record and its row are written together);
 *  - meta `acked_through_seq`: every record at or below it has left the pending state, so a
 *    salvage after damage can tell delivered records from ones whose row was lost
 *    (recovery.ts);
 *  - meta `last_ack_ms`: the time of the last acknowledgement (status line, heartbeat).
 * An appeal's row is marked as before (few, and the appeal's own status lives in `appeals`).
 */
export function markDelivered(
  db: Db,
  refs: string[],
  nowMs: number,
  kind: 'record' | 'appeal' = 'record',
): void {
  const stmt =
    kind === 'record'
      ? db.prepare(`DELETE FROM outbox WHERE kind = 'record' AND ref = ? AND state = 'pending'`)
      : db.prepare(
          `UPDATE outbox SET state = 'delivered', delivered_ms = ?, last_error = NULL WHERE kind = 'appeal' AND ref = ? AND state = 'pending'`,
        );
  db.transaction(() => {
    for (const ref of refs) {
      if (kind === 'record') stmt.run(ref);
      else stmt.run(nowMs, ref);
    }
    if (refs.length === 0) return;
    // Kept in meta: the largest delivered_ms would otherwise be a scan of every row ever delivered.
    if (nowMs > Number(getMeta(db, LAST_ACK_KEY) ?? '0')) setMeta(db, LAST_ACK_KEY, String(nowMs));
    if (kind === 'record') noteAckedThrough(db);
  })();
}

export const ACKED_THROUGH_KEY = 'acked_through_seq';

/** Moves `acked_through_seq` up to just below the oldest pending record (the pending index answers). */
export function noteAckedThrough(db: Db): void {
  const oldest = db
    .prepare(`SELECT MIN(device_seq) AS s FROM outbox WHERE kind = 'record' AND state = 'pending'`)
    .get() as { s: number | null };
  const through = oldest.s === null ? Number(getMeta(db, 'last_device_seq') ?? '0') : oldest.s - 1;
  if (through > Number(getMeta(db, ACKED_THROUGH_KEY) ?? '0'))
    setMeta(db, ACKED_THROUGH_KEY, String(through));
}

const LAST_ACK_KEY = 'last_ack_ms';

export function markRejected(
  db: Db,
  ref: string,
  code: string,
  message: string,
  nowMs: number,
  kind: 'record' | 'appeal' = 'record',
): void {
  db.prepare(
    `UPDATE outbox SET state = 'rejected', reject_code = ?, reject_message = ?, last_attempt_ms = ?
     WHERE kind = ? AND ref = ? AND state = 'pending'`,
  ).run(code, message, nowMs, kind, ref);
}

export function noteAttempt(
  db: Db,
  refs: string[],
  error: string | null,
  nowMs: number,
  kind: 'record' | 'appeal' = 'record',
): void {
  const stmt = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_attempt_ms = ?, last_error = ? WHERE kind = ? AND ref = ?`,
  );
  db.transaction(() => {
    for (const ref of refs) stmt.run(nowMs, error, kind, ref);
  })();
}

/**
 * Read from the partial indexes of pending and rejected rows and from meta, never by scanning the
 * outbox: the status line and every heartbeat ask, and a pad's outbox holds every record it ever
 * delivered until retention.
 */
export function outboxStats(db: Db): OutboxStats {
  const pending = db
    .prepare(
      `SELECT COUNT(*) AS pending, COALESCE(SUM(urgent = 1), 0) AS urgentPending, MIN(created_ms) AS oldestPendingMs
       FROM outbox WHERE state = 'pending'`,
    )
    .get() as { pending: number; urgentPending: number; oldestPendingMs: number | null };
  const rejected = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'rejected'`).get() as {
    n: number;
  };
  const lastAck = getMeta(db, LAST_ACK_KEY);
  return {
    pending: pending.pending,
    urgentPending: pending.urgentPending,
    rejected: rejected.n,
    oldestPendingMs: pending.oldestPendingMs,
    lastAckMs: lastAck === undefined || lastAck === '' ? null : Number(lastAck),
  };
}

export interface RejectedItem {
  kind: 'record' | 'appeal';
  ref: string;
  deviceSeq: number | null;
  code: string | null;
  message: string | null;
  atMs: number | null;
}

export function rejectedItems(db: Db, limit = 200): RejectedItem[] {
  return db
    .prepare(
      `SELECT kind, ref, device_seq AS deviceSeq, reject_code AS code, reject_message AS message, last_attempt_ms AS atMs
       FROM outbox WHERE state = 'rejected' ORDER BY id DESC LIMIT ?`,
    )
    .all(limit) as RejectedItem[];
}

/** Appeals waiting for upload, oldest first. */
export function pendingAppeals(
  db: Db,
  limit: number,
): Array<{ appealId: string; evaluationId: string; staffId: string; reason: string; submittedMs: number }> {
  return db
    .prepare(
      `SELECT a.id AS appealId, a.record_id AS evaluationId, a.staff_id AS staffId, a.reason AS reason, a.submitted_ms AS submittedMs
       FROM outbox o JOIN appeals a ON a.id = o.ref
       WHERE o.kind = 'appeal' AND o.state = 'pending' ORDER BY o.id LIMIT ?`,
    )
    .all(limit) as Array<{
    appealId: string;
    evaluationId: string;
    staffId: string;
    reason: string;
    submittedMs: number;
  }>;
}

export type { PlatformRecord };
