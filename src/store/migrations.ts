import type Database from 'better-sqlite3';
import { caseRowsWithoutSealedText } from './case-rows-without-sealed-text.js';
import { compactRecords } from './compact-records.js';
import { foldedHistory } from './folded-history.js';
import { leanWorkingRows } from './lean-working-rows.js';
import { noSequenceTable } from './no-sequence-table.js';
import { packRecords } from './pack-records.js';

/**
 * Numbered migrations. Entry i brings the schema from user_version i to i+1: SQL, or a function
 * for a step SQL cannot express (it runs in the same transaction as the user_version bump).
 * Never edit a shipped entry: add a new one.
 */
export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: the whole first schema.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  CREATE TABLE evaluations (
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
    receipt_prints INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX evaluations_open ON evaluations(state) WHERE state IN ('waiting', 'reasons');
  CREATE INDEX evaluations_staff ON evaluations(staff_id, started_ms);

  CREATE TABLE evaluation_cases (
    evaluation_id TEXT NOT NULL REFERENCES evaluations(id),
    idx INTEGER NOT NULL,
    record_id TEXT NOT NULL UNIQUE,
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
  CREATE INDEX evaluation_cases_case ON evaluation_cases(project_no, service_number);

  CREATE TABLE records (
    device_seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    evaluation_id TEXT NOT NULL,
    project_no TEXT NOT NULL,
    service_number INTEGER NOT NULL,
    staff_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('rated', 'unrated')),
    satisfaction INTEGER,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX records_staff ON records(staff_id, created_ms);

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  CREATE UNIQUE INDEX outbox_ref ON outbox(kind, ref);
  CREATE INDEX outbox_pending ON outbox(kind, state, device_seq);

  CREATE TABLE raw_inputs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('key', 'touch')),
    key INTEGER NOT NULL,
    board_serial TEXT,
    boot_id INTEGER,
    counter INTEGER,
    disposition TEXT NOT NULL,
    evaluation_id TEXT
  ) STRICT;
  CREATE UNIQUE INDEX raw_inputs_board_key ON raw_inputs(board_serial, boot_id, counter)
    WHERE board_serial IS NOT NULL;

  CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('pin', 'badge')),
    signed_in_ms INTEGER NOT NULL,
    signed_out_ms INTEGER
  ) STRICT;

  CREATE TABLE auth_failures (
    staff_id TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until_ms INTEGER
  ) STRICT;

  CREATE TABLE window_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL CHECK (state IN ('on_duty', 'paused', 'away')),
    staff_id TEXT,
    changed_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE appeals (
    id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    submitted_ms INTEGER NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    result_code TEXT
  ) STRICT;

  CREATE TABLE refdata (
    name TEXT PRIMARY KEY,
    etag TEXT,
    body TEXT NOT NULL,
    fetched_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE receipt_prints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    evaluation_id TEXT NOT NULL,
    copy INTEGER NOT NULL,
    requested_ms INTEGER NOT NULL,
    result TEXT NOT NULL
  ) STRICT;
  `,
  // 2: the risk rules look at presses by time around each prompt.
  `
  CREATE INDEX raw_inputs_at ON raw_inputs(at_ms);
  `,
  // 3: rating integrity (platform-api 1.1): cancellations become records, cancels carry a reason,
  // and the window API remembers the answers it gave to a requestId.
  `
  ALTER TABLE evaluations ADD COLUMN cancel_reason TEXT
    CHECK (cancel_reason IN ('wrong_case', 'citizen_left', 'other'));
  CREATE INDEX evaluations_window ON evaluations(window_no, started_ms);

  CREATE TABLE start_requests (
    request_id TEXT PRIMARY KEY,
    evaluation_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX start_requests_created ON start_requests(created_ms);

  CREATE TABLE records_v3 (
    device_seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    evaluation_id TEXT NOT NULL,
    project_no TEXT NOT NULL,
    service_number INTEGER NOT NULL,
    staff_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('rated', 'unrated', 'cancelled')),
    satisfaction INTEGER,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL
  ) STRICT;
  INSERT INTO records_v3 (device_seq, record_id, evaluation_id, project_no, service_number, staff_id, status,
    satisfaction, body, prev_hash, hash, created_ms)
    SELECT device_seq, record_id, evaluation_id, project_no, service_number, staff_id, status,
      satisfaction, body, prev_hash, hash, created_ms FROM records;
  DROP TABLE records;
  ALTER TABLE records_v3 RENAME TO records;
  CREATE INDEX records_staff ON records(staff_id, created_ms);
  `,
  // 4: each record stored once, in the bytes its hash covers; only the indexes the queries need
  // (docs/perf.md, decisions 170-172).
  compactRecords,
  // 5: a record's body packed against a preset dictionary, its hash as 32 bytes (decisions 173-175).
  packRecords,
  // 6: every query of evaluations by staff member or by window is also bounded by a start time
  // (today, this month, the last minutes): one index by start time serves them all (decision 209).
  `
  DROP INDEX evaluations_staff;
  DROP INDEX evaluations_window;
  CREATE INDEX evaluations_started ON evaluations(started_ms);
  -- each bad review in the figures and the staff panel looks up its appeal
  CREATE INDEX appeals_record ON appeals(record_id);
  `,
  // 7: evaluations kept in their primary key's order, a case's record id computed rather than
  // stored and indexed again, no index of presses by evaluation (decision 211).
  leanWorkingRows,
  // 8: a case's reasons and comment kept only in its sealed record; case rows in their primary
  // key's order (decision 212).
  caseRowsWithoutSealedText,
  // 9: a case's look-ups and the figures of folded evaluations kept apart from their working rows,
  // which go a few hours after they closed (decision 220).
  foldedHistory,
  // 10: presses and outbox rows numbered without AUTOINCREMENT: a key press no longer writes
  // sqlite_sequence's page (decision 221).
  noSequenceTable,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
