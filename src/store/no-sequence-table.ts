import type Database from 'better-sqlite3';

/**
 * Migration 10 (decision 221): `raw_inputs` and `outbox` number their rows without AUTOINCREMENT.
 *
 * Why: an AUTOINCREMENT table writes its high-water mark to `sqlite_sequence` on every insert, and
 * a key press inserts into both: one more 4 KB page in the WAL of every press, written and synced
 * before the press is acknowledged (about 25 µs of a 0.45 ms press on this machine, measured with
 * the two tables rebuilt both ways). A pad pays it on every rating for years.
 *
 * What AUTOINCREMENT promised — an id is never given twice, even after the newest row is deleted —
 * nothing here needs:
 * - a press's id orders presses (an evaluation's `inputs_after`, risk-input.ts) and the sweeps that
 *   delete old presses (fold.ts, retention.ts) always keep the newest 64, so the next id is still
 *   above every id an evaluation holds. Not so on a database whose newest presses went while an
 *   evaluation was kept (retention before decision 220's fixes deleted every press past its bound):
 *   that evaluation holds an id above every press left, which its own presses would be given again.
 *   Such an `inputs_after` is brought down to the largest id left, which selects the same presses
 *   (none is above it) and the ones it logs from now on;
 * - an outbox row's id is read only to list rejected rows newest first, and rejected rows are never
 *   deleted, so a new row's id (the largest kept plus one) is still above theirs. Rows are found by
 *   (kind, ref) and by deviceSeq; no id leaves the database.
 *
 * The tables are rebuilt with their columns in the same order (salvage.ts reads their rows from raw
 * pages by position) and every row keeps its id.
 */
export function noSequenceTable(db: Database.Database): void {
  db.exec(`
    CREATE TABLE raw_inputs_v10 (
      id INTEGER PRIMARY KEY,
      at_ms INTEGER NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('key', 'touch')),
      key INTEGER NOT NULL,
      board_serial TEXT,
      boot_id INTEGER,
      counter INTEGER,
      disposition TEXT NOT NULL,
      evaluation_id TEXT
    ) STRICT;
    INSERT INTO raw_inputs_v10 (id, at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
      SELECT id, at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id FROM raw_inputs;
    DROP TABLE raw_inputs;
    ALTER TABLE raw_inputs_v10 RENAME TO raw_inputs;
    CREATE UNIQUE INDEX raw_inputs_board_key ON raw_inputs(board_serial, boot_id, counter)
      WHERE board_serial IS NOT NULL;
    CREATE INDEX raw_inputs_at ON raw_inputs(at_ms);
    UPDATE evaluations SET inputs_after = (SELECT COALESCE(MAX(id), 0) FROM raw_inputs)
      WHERE inputs_after > (SELECT COALESCE(MAX(id), 0) FROM raw_inputs);

    CREATE TABLE outbox_v10 (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('record', 'appeal')),
      ref TEXT NOT NULL,
      device_seq INTEGER,
      urgent INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_ms INTEGER NOT NULL,
      last_attempt_ms INTEGER,
      delivered_ms INTEGER,
      last_error TEXT,
      reject_code TEXT,
      reject_message TEXT
    ) STRICT;
    INSERT INTO outbox_v10 (id, kind, ref, device_seq, urgent, state, attempts, created_ms, last_attempt_ms,
                            delivered_ms, last_error, reject_code, reject_message)
      SELECT id, kind, ref, device_seq, urgent, state, attempts, created_ms, last_attempt_ms,
             delivered_ms, last_error, reject_code, reject_message FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v10 RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_ref ON outbox(kind, ref);
    CREATE INDEX outbox_pending ON outbox(kind, device_seq) WHERE state = 'pending';
    CREATE INDEX outbox_rejected ON outbox(id) WHERE state = 'rejected';

    DELETE FROM sqlite_sequence WHERE name IN ('raw_inputs', 'outbox');
  `);
}
