import type Database from 'better-sqlite3';
import { canonicalJson } from '../domain/canonical.js';

/**
 * Migration 4 (decisions 170–172). Before it, every record was kept about three times over: its
 * JSON body (with its own hash and prevHash inside), the hash and prevHash again as columns, and
 * evaluation_id, project_no and service_number copied out of the body although no query reads
 * them from here. Now:
 *  - `body` is the canonical JSON of the record without `hash` — exactly the bytes the hash is
 *    computed over (platform-api.md §2), so verifying a record is one SHA-256 of what is stored,
 *    and the record read back (`RECORD_JSON_SQL`) is the same record in its canonical form;
 *  - `hash` stays a column (the chain head and retention read it), and `evaluation_id` (bad reviews
 *    join evaluations on it); `prev_hash`, `project_no` and `service_number` are gone (prevHash is
 *    in the body; the rest is in the body and in evaluation_cases);
 *  - indexes: bad reviews by staff only (a partial index instead of every record by staff and
 *    time), the outbox's pending and rejected rows only (delivered rows are the bulk and no query
 *    looks for them by state), and raw inputs by evaluation (the risk rules look them up so; without
 *    it every rating scanned all key presses ever logged).
 * A body that does not parse, or parses to something else than an object, is copied as it is:
 * the migration never repairs evidence, verification reports it.
 */
export function compactRecords(db: Database.Database): void {
  db.exec(`
    CREATE TABLE records_compact (
      device_seq INTEGER PRIMARY KEY,
      record_id TEXT NOT NULL UNIQUE,
      evaluation_id TEXT NOT NULL,
      staff_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('rated', 'unrated', 'cancelled')),
      satisfaction INTEGER,
      body TEXT NOT NULL,
      hash TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    ) STRICT;
  `);
  const read = db.prepare(
    `SELECT device_seq, record_id, evaluation_id, staff_id, status, satisfaction, body, hash, created_ms
     FROM records WHERE device_seq > ? ORDER BY device_seq LIMIT 5000`,
  );
  const write = db.prepare(
    `INSERT INTO records_compact (device_seq, record_id, evaluation_id, staff_id, status, satisfaction, body, hash, created_ms)
     VALUES (@device_seq, @record_id, @evaluation_id, @staff_id, @status, @satisfaction, @body, @hash, @created_ms)`,
  );
  let after = -1;
  for (;;) {
    const rows = read.all(after) as Array<{ device_seq: number; body: string } & Record<string, unknown>>;
    if (rows.length === 0) break;
    for (const row of rows) write.run({ ...row, body: hashedBytes(row.body) });
    after = rows[rows.length - 1]?.device_seq ?? after;
  }
  db.exec(`
    DROP TABLE records;
    ALTER TABLE records_compact RENAME TO records;
    CREATE INDEX records_bad_reviews ON records(staff_id, device_seq)
      WHERE status = 'rated' AND satisfaction <= 2;

    DROP INDEX outbox_pending;
    CREATE INDEX outbox_pending ON outbox(kind, device_seq) WHERE state = 'pending';
    CREATE INDEX outbox_rejected ON outbox(id) WHERE state = 'rejected';

    CREATE INDEX raw_inputs_evaluation ON raw_inputs(evaluation_id) WHERE evaluation_id IS NOT NULL;

    INSERT INTO meta (key, value)
      SELECT 'last_ack_ms', CAST(d AS TEXT) FROM (SELECT MAX(delivered_ms) AS d FROM outbox) WHERE d IS NOT NULL
      ON CONFLICT(key) DO NOTHING;
  `);
}

/** The canonical JSON of a record body without its `hash`, or the body unchanged if it is not one. */
export function hashedBytes(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
  const { hash: _hash, ...rest } = parsed as Record<string, unknown>;
  return canonicalJson(rest);
}
