import type { Db } from './db.js';
import { hashedBytes } from './compact-records.js';
import { hashBlob, packBody } from './record-codec.js';

/**
 * Records sealed elsewhere, taken into this database as they are: salvaged from a damaged file
 * (recovery.ts) or handed over by the pad this one replaces (handover.ts). Their deviceSeq, hash
 * and bytes are kept; nothing is re-sealed, so the platform sees the same record it would have
 * got from the first pad and answers `duplicate` for what it already holds.
 */
export interface SealedRow {
  deviceSeq: number;
  recordId: string;
  evaluationId: string;
  staffId: string;
  status: string;
  satisfaction: number | null;
  /** the record's JSON, with or without its `hash`; stored as the canonical bytes the hash covers */
  body: string;
  hash: string;
  createdMs: number;
}

/**
 * Inserts the rows (lowest deviceSeq first), each not delivered with a pending outbox row (a
 * delivered record has none). A row the schema refuses, or whose deviceSeq or id is
 * already taken, is skipped and not counted. Runs in one transaction (or the caller's).
 */
export function adoptSealedRecords(
  db: Db,
  rows: readonly SealedRow[],
  delivered: (recordId: string) => boolean,
): number {
  const insertRecord = db.prepare(
    `INSERT OR IGNORE INTO records (device_seq, record_id, staff_id, status, satisfaction, body, hash, created_ms)
     VALUES (@deviceSeq, @recordId, @staffId, @status, @satisfaction, @body, @hash, @createdMs)`,
  );
  // a delivered record keeps no outbox row (outbox.ts markDelivered)
  const insertOutbox = db.prepare(
    `INSERT OR IGNORE INTO outbox (kind, ref, device_seq, urgent, state, created_ms)
     VALUES ('record', ?, ?, 0, 'pending', ?)`,
  );
  let adopted = 0;
  db.transaction(() => {
    for (const r of [...rows].sort((x, y) => x.deviceSeq - y.deviceSeq)) {
      let changes = 0;
      try {
        changes = insertRecord.run({
          deviceSeq: r.deviceSeq,
          recordId: r.recordId,
          staffId: r.staffId,
          status: r.status,
          satisfaction: r.satisfaction,
          // packed (record-codec.ts) for this row: the canonical bytes the hash covers, whichever layout they came from
          body: packBody(hashedBytes(r.body), [
            r.deviceSeq,
            r.createdMs,
            r.recordId,
            r.satisfaction,
            r.staffId,
            r.status,
          ]),
          hash: hashBlob(r.hash),
          createdMs: r.createdMs,
        }).changes;
      } catch {
        continue; // a row the schema refuses stays where it came from
      }
      if (changes === 0) continue;
      if (!delivered(r.recordId)) insertOutbox.run(r.recordId, r.deviceSeq, r.createdMs);
      adopted += 1;
    }
  })();
  return adopted;
}
