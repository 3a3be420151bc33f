import type { PlatformRecord } from '../domain/record.js';
import { getMeta, setMeta, type Db } from './db.js';
import { recordJsonSql } from './records.js';

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
  const rows = db
    .prepare(
      `SELECT ${PENDING_RECORD_COLUMNS}
       FROM outbox o JOIN records r ON r.record_id = o.ref
       WHERE o.kind = 'record' AND o.state = 'pending'
       ORDER BY o.device_seq LIMIT ?`,
    )
    .all(limit) as Array<Omit<PendingRecord, 'urgent'> & { urgent: number }>;
  return rows.map((r) => ({ ...r, urgent: r.urgent === 1 }));
}

export function hasUrgentPending(db: Db): boolean {
  return (
    db
      .prepare(`SELECT 1 FROM outbox WHERE kind = 'record' AND state = 'pending' AND urgent = 1 LIMIT 1`)
      .get() !== undefined
  );
}

export function markDelivered(
  db: Db,
  refs: string[],
  nowMs: number,
  kind: 'record' | 'appeal' = 'record',
): void {
  const stmt = db.prepare(
    `UPDATE outbox SET state = 'delivered', delivered_ms = ?, last_error = NULL WHERE kind = ? AND ref = ? AND state = 'pending'`,
  );
  db.transaction(() => {
    for (const ref of refs) stmt.run(nowMs, kind, ref);
    // Kept in meta: the largest delivered_ms is otherwise a scan of every row ever delivered.
    if (refs.length > 0 && nowMs > Number(getMeta(db, LAST_ACK_KEY) ?? '0'))
      setMeta(db, LAST_ACK_KEY, String(nowMs));
  })();
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
