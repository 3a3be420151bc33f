import type { PlatformRecord } from '../domain/record.js';
import type { Db } from './db.js';

export interface PendingRecord {
  outboxId: number;
  deviceSeq: number;
  urgent: boolean;
  attempts: number;
  body: string; // the record's JSON exactly as sealed
}

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
      `SELECT o.id AS outboxId, o.device_seq AS deviceSeq, o.urgent AS urgent, o.attempts AS attempts, r.body AS body
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
  })();
}

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

export function outboxStats(db: Db): OutboxStats {
  const row = db
    .prepare(
      `SELECT
         SUM(state = 'pending') AS pending,
         SUM(state = 'pending' AND urgent = 1) AS urgentPending,
         SUM(state = 'rejected') AS rejected,
         MIN(CASE WHEN state = 'pending' THEN created_ms END) AS oldestPendingMs,
         MAX(delivered_ms) AS lastAckMs
       FROM outbox`,
    )
    .get() as {
    pending: number | null;
    urgentPending: number | null;
    rejected: number | null;
    oldestPendingMs: number | null;
    lastAckMs: number | null;
  };
  return {
    pending: row.pending ?? 0,
    urgentPending: row.urgentPending ?? 0,
    rejected: row.rejected ?? 0,
    oldestPendingMs: row.oldestPendingMs,
    lastAckMs: row.lastAckMs,
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
