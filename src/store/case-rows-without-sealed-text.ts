import type Database from 'better-sqlite3';

/**
 * Migration 8 (decision 212): a citizen's reasons and comment are kept once, in the sealed record.
 *
 * `evaluation_cases` kept `eval_detail` (the reason codes) and `writing_evaluation` (the comment,
 * up to 500 characters) beside the record sealed from them in the same transaction. Nothing ever
 * read them back: the record is what the staff panel, the figures' bad reviews and the upload read.
 * So the columns go, and with them the only unbounded text a case row had. A case row is then at
 * most about 960 bytes (a 21-character evaluation id; a project number and a task code of 50, a
 * task name of 200 UTF-16 units, three bytes each at worst), under the 1,002 bytes a row of a
 * WITHOUT ROWID table keeps on its own page (tested; about 40 bytes to spare: widening one of
 * these fields means measuring again). So the table becomes WITHOUT ROWID: the rows are their
 * primary key's b-tree, and the second b-tree a rowid table kept for that key (about 33 B a case)
 * is gone. Decision 211 kept the rowid because of the comment; that reason left with it.
 *
 * The reasons of a case whose record retention had already removed were delivered to the platform
 * with that record; the pad read them nowhere. Every other value is copied as it is.
 */
export function caseRowsWithoutSealedText(db: Database.Database): void {
  db.exec(`
    CREATE TABLE evaluation_cases_kept (
      evaluation_id TEXT NOT NULL REFERENCES evaluations(id),
      idx INTEGER NOT NULL,
      -- 1 when the evaluation has several cases (a batch or a chain): the record id is then
      -- '<evaluation id>-<idx + 1>', else the evaluation id itself (decision 6)
      grouped INTEGER NOT NULL CHECK (grouped IN (0, 1)),
      record_id TEXT GENERATED ALWAYS AS
        (CASE WHEN grouped = 1 THEN evaluation_id || '-' || (idx + 1) ELSE evaluation_id END) VIRTUAL,
      project_no TEXT NOT NULL,
      service_number INTEGER NOT NULL,
      task_code TEXT NOT NULL,
      task_name TEXT NOT NULL,
      promise_type INTEGER NOT NULL CHECK (promise_type IN (1, 2)),
      -- The citizen's choice, kept locally even when it never becomes a valid rating.
      chosen_satisfaction INTEGER,
      chosen_source TEXT,
      chosen_ms INTEGER,
      outcome TEXT CHECK (outcome IN ('rated', 'unrated', 'cancelled')),
      PRIMARY KEY (evaluation_id, idx)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO evaluation_cases_kept (evaluation_id, idx, grouped, project_no, service_number, task_code,
      task_name, promise_type, chosen_satisfaction, chosen_source, chosen_ms, outcome)
      SELECT evaluation_id, idx, grouped, project_no, service_number, task_code,
        task_name, promise_type, chosen_satisfaction, chosen_source, chosen_ms, outcome
      FROM evaluation_cases;
    DROP TABLE evaluation_cases;
    ALTER TABLE evaluation_cases_kept RENAME TO evaluation_cases;
    CREATE INDEX evaluation_cases_case ON evaluation_cases(project_no, service_number);
  `);
}
