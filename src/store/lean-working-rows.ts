import type Database from 'better-sqlite3';

/**
 * Migration 7 (decision 211): no copy of a key or a record id beside an evaluation's working rows.
 *
 * Before it, `evaluations` was a rowid table with a text primary key, so it kept a second b-tree
 * (its primary-key index) beside the rows, and every case kept its record id as a column with a
 * unique index of its own — a value its evaluation id and position already say (decision 6: the
 * evaluation id, or `<id>-<n>` per case of a group).
 *
 * Now `evaluations` is WITHOUT ROWID (the rows are the primary-key b-tree; a row is a hundred-odd
 * bytes and has no long text), and a case's `record_id` is a generated column computed from
 * `evaluation_id`, `idx` and `grouped` (1 when the evaluation has several cases): every query
 * reads it as before; nothing stores it twice. `evaluation_cases` stays a rowid table: a citizen's
 * comment may be 500 characters, and a WITHOUT ROWID row over about 1 KB spills into overflow
 * pages of its own (a case with a 300-character comment: 4.7 KB instead of 1.4 KB).
 * Nothing looks a case up by record id: a record reaches its evaluation through the record id's
 * evaluation part (`evaluationIdOfRecordSql`, record-ids.ts).
 *
 * The risk rules read an evaluation's own presses when it is sealed. They found them through an
 * index of every press by evaluation id (35 B a press); now an evaluation keeps `inputs_after`,
 * the last press id logged before it started, and its presses are the few logged after that
 * (risk-input.ts), whatever the clock did meanwhile.
 *
 * Rows are copied as they are. A case whose stored record id is not what its evaluation id and
 * position give (no code ever wrote one) stops the migration rather than change a record's
 * identity: the pad then refuses to open the database and says why, and nothing is lost.
 */
export function leanWorkingRows(db: Database.Database): void {
  const odd = db
    .prepare(
      `SELECT c.record_id AS recordId FROM evaluation_cases c
       WHERE c.record_id <> CASE
         WHEN (SELECT COUNT(*) FROM evaluation_cases g WHERE g.evaluation_id = c.evaluation_id) > 1
           THEN c.evaluation_id || '-' || (c.idx + 1)
         ELSE c.evaluation_id END
       LIMIT 1`,
    )
    .get() as { recordId: string } | undefined;
  if (odd)
    throw new Error(`migration 7: case record id ${odd.recordId} is not its evaluation id and position`);
  db.exec(`
    CREATE TABLE evaluations_lean (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('waiting', 'reasons', 'rated', 'unrated', 'cancelled')),
      group_type TEXT CHECK (group_type IN ('batch', 'chain')),
      chain_mode TEXT CHECK (chain_mode IN ('overall', 'each')),
      current_idx INTEGER NOT NULL DEFAULT 0,
      staff_id TEXT NOT NULL,
      staff_name TEXT NOT NULL,
      window_no TEXT NOT NULL,
      origin TEXT NOT NULL CHECK (origin IN ('window_api', 'staff_panel', 'scanner')),
      started_ms INTEGER NOT NULL,
      prompt_ms INTEGER NOT NULL,
      step_deadline_ms INTEGER,
      closed_ms INTEGER,
      close_reason TEXT,
      cancelled_by TEXT,
      norm_version TEXT NOT NULL,
      risk_flags TEXT NOT NULL DEFAULT '[]',
      receipt_prints INTEGER NOT NULL DEFAULT 0,
      cancel_reason TEXT CHECK (cancel_reason IN ('wrong_case', 'citizen_left', 'other')),
      -- the last raw_inputs id logged before it started: its own presses all come after it
      inputs_after INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    INSERT INTO evaluations_lean (id, state, group_type, chain_mode, current_idx, staff_id, staff_name,
      window_no, origin, started_ms, prompt_ms, step_deadline_ms, closed_ms, close_reason, cancelled_by,
      norm_version, risk_flags, receipt_prints, cancel_reason, inputs_after)
      SELECT id, state, group_type, chain_mode, current_idx, staff_id, staff_name,
        window_no, origin, started_ms, prompt_ms, step_deadline_ms, closed_ms, close_reason, cancelled_by,
        norm_version, risk_flags, receipt_prints, cancel_reason,
        -- only an open evaluation's presses are read again (when it is sealed)
        CASE WHEN state IN ('waiting', 'reasons') THEN COALESCE(
          (SELECT MIN(p.id) - 1 FROM raw_inputs p WHERE p.evaluation_id = evaluations.id),
          (SELECT MAX(p.id) FROM raw_inputs p), 0) ELSE 0 END
      FROM evaluations;

    CREATE TABLE evaluation_cases_lean (
      evaluation_id TEXT NOT NULL REFERENCES evaluations_lean(id),
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
      eval_detail TEXT,
      writing_evaluation TEXT,
      outcome TEXT CHECK (outcome IN ('rated', 'unrated', 'cancelled')),
      PRIMARY KEY (evaluation_id, idx)
    ) STRICT;
    INSERT INTO evaluation_cases_lean (evaluation_id, idx, grouped, project_no, service_number, task_code,
      task_name, promise_type, chosen_satisfaction, chosen_source, chosen_ms, eval_detail, writing_evaluation, outcome)
      SELECT evaluation_id, idx, record_id <> evaluation_id, project_no, service_number, task_code,
        task_name, promise_type, chosen_satisfaction, chosen_source, chosen_ms, eval_detail, writing_evaluation, outcome
      FROM evaluation_cases;

    DROP TABLE evaluation_cases;
    DROP TABLE evaluations;
    ALTER TABLE evaluations_lean RENAME TO evaluations;
    ALTER TABLE evaluation_cases_lean RENAME TO evaluation_cases;
    CREATE INDEX evaluations_open ON evaluations(state) WHERE state IN ('waiting', 'reasons');
    CREATE INDEX evaluations_started ON evaluations(started_ms);
    CREATE INDEX evaluation_cases_case ON evaluation_cases(project_no, service_number);
    DROP INDEX raw_inputs_evaluation;
  `);
}
