import type Database from 'better-sqlite3';
import { hashBlob, packBody } from './record-codec.js';

/**
 * Migration 5 (decisions 173–175): a record's body packed (record-codec.ts), its hash as 32 bytes,
 * delivered records without an outbox row (outbox.ts `markDelivered`), and no `evaluation_id` column (the bad-review list reaches the evaluation through
 * `evaluation_cases.record_id`, which was indexed then; since migration 7 through the record id's
 * evaluation part, decision 211). `body` and `hash` are `ANY`: a packed
 * body and a hash are blobs, but a row a technician edited by hand as text must still be read
 * and reported by verification rather than refused by the table.
 * A hash that is not 64 hex digits and a body that is not canonical are copied as they are: the
 * migration never repairs evidence, verification reports it.
 */
export const PACKED_RECORDS_TABLE = `
  CREATE TABLE records_packed (
    device_seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    staff_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('rated', 'unrated', 'cancelled')),
    satisfaction INTEGER,
    body ANY NOT NULL,
    hash ANY NOT NULL,
    created_ms INTEGER NOT NULL
  ) STRICT;
`;

export function packRecords(db: Database.Database): void {
  db.exec(PACKED_RECORDS_TABLE);
  const read = db.prepare(
    `SELECT device_seq, record_id, staff_id, status, satisfaction, body, hash, created_ms
     FROM records WHERE device_seq > ? ORDER BY device_seq LIMIT 5000`,
  );
  const write = db.prepare(
    `INSERT INTO records_packed (device_seq, record_id, staff_id, status, satisfaction, body, hash, created_ms)
     VALUES (@device_seq, @record_id, @staff_id, @status, @satisfaction, @body, @hash, @created_ms)`,
  );
  let after = -1;
  for (;;) {
    const rows = read.all(after) as Array<
      { device_seq: number; body: unknown; hash: unknown } & Record<string, unknown>
    >;
    if (rows.length === 0) break;
    for (const row of rows) {
      write.run({
        ...row,
        body: typeof row.body === 'string' ? packBody(row.body) : row.body,
        hash: typeof row.hash === 'string' && /^[0-9a-f]{64}$/.test(row.hash) ? hashBlob(row.hash) : row.hash,
      });
    }
    after = rows[rows.length - 1]?.device_seq ?? after;
  }
  db.exec(`
    DROP TABLE records;
    ALTER TABLE records_packed RENAME TO records;
    CREATE INDEX records_bad_reviews ON records(staff_id, device_seq)
      WHERE status = 'rated' AND satisfaction <= 2;

    -- delivered records keep no outbox row (outbox.ts markDelivered); the mark below says how far
    -- every record has left the pending state
    INSERT INTO meta (key, value)
      SELECT 'acked_through_seq', CAST(COALESCE(
          (SELECT MIN(device_seq) - 1 FROM outbox WHERE kind = 'record' AND state = 'pending'),
          (SELECT MAX(device_seq) FROM records)) AS TEXT)
      WHERE EXISTS (SELECT 1 FROM outbox WHERE kind = 'record' AND state = 'delivered')
      ON CONFLICT(key) DO NOTHING;
    DELETE FROM outbox WHERE kind = 'record' AND state = 'delivered';
  `);
}
