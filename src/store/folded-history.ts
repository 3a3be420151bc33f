import type Database from 'better-sqlite3';

/**
 * Migration 9 (decision 220): what the pad must still know of an evaluation once its working rows
 * are folded into its records (fold.ts), kept in two small tables the fold writes.
 *
 * `case_memory` — one row per case number and visit folded after closing rated or unrated: what
 * the look-ups made when an evaluation starts (即办件 rated once; the next 承诺件 visit; a case
 * whose last attempt ended in an abandoned 差评, restart_after_bad) need of it (case-memory.ts).
 *
 * `day_figures` — the counts of folded evaluations per CST day of their start, staff member and
 * window: the figures of "this month" add them to the live rows' counts, and the 差评 noted here
 * (each has its own appeal state) to the live rows' 差评.
 *
 * Both start empty: nothing is folded before this migration.
 */
export function foldedHistory(db: Database.Database): void {
  db.exec(`
    CREATE TABLE case_memory (
      project_no TEXT NOT NULL,
      service_number INTEGER NOT NULL,
      -- 1 once any attempt at this visit was rated
      rated INTEGER NOT NULL CHECK (rated IN (0, 1)),
      -- the start (pad clock) of the latest attempt folded
      last_started_ms INTEGER NOT NULL,
      -- 1 when that latest attempt closed unrated after the citizen chose a 差评 star
      last_abandoned_bad INTEGER NOT NULL CHECK (last_abandoned_bad IN (0, 1)),
      -- the highest deviceSeq of its records: retention forgets the case only once they are gone
      last_seq INTEGER,
      PRIMARY KEY (project_no, service_number)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE day_figures (
      day TEXT NOT NULL,
      staff_id TEXT NOT NULL,
      window_no TEXT NOT NULL,
      started INTEGER NOT NULL,
      rated INTEGER NOT NULL,
      unrated INTEGER NOT NULL,
      abandoned_bad INTEGER NOT NULL,
      cancelled INTEGER NOT NULL,
      good INTEGER NOT NULL,
      bad INTEGER NOT NULL,
      -- the 差评 among them, each [record id, star, assessment time in true ms or null]: their
      -- appeal states are counted whatever retention does to the records
      bad_reviews TEXT NOT NULL DEFAULT '[]',
      -- the lowest deviceSeq of their records: where a walk of their records starts
      first_seq INTEGER,
      PRIMARY KEY (day, staff_id, window_no)
    ) STRICT, WITHOUT ROWID;

    -- a receipt is reprinted, and counted in the recent list, by evaluation id; its working row may
    -- be gone (the prints are kept: a reprint is still 补打)
    CREATE INDEX receipt_prints_evaluation ON receipt_prints(evaluation_id);
  `);
}
