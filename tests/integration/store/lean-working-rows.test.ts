import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { databaseAtSchema, migratedToSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Migration 7 (decision 211): evaluations become a WITHOUT ROWID table, a case's record id is
 * computed instead of stored, and presses are no longer indexed by evaluation. What
 * must not change: every row and value a query reads, every record id, and the open evaluation's
 * own presses staying findable.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 10, 2, 1, 0, 0);

/** A database as schema 6 left it, with a single case, a batch of two and an open evaluation. */
function schema6Db(file: string, opts: { oddRecordId?: boolean; openWithoutPresses?: boolean } = {}): void {
  const db = databaseAtSchema(file, 6);
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, group_type, staff_id, staff_name, window_no, origin, started_ms, prompt_ms,
       step_deadline_ms, closed_ms, close_reason, norm_version, risk_flags, receipt_prints)
     VALUES (?, ?, ?, 'S01', '张三', '12', 'window_api', ?, ?, ?, ?, ?, 'national-2020-05', ?, ?)`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, record_id, project_no, service_number, task_code, task_name,
       promise_type, chosen_satisfaction, chosen_source, chosen_ms, eval_detail, writing_evaluation, outcome)
     VALUES (?, ?, ?, ?, 1, '370900-XK-0001', '个体工商户设立登记', 1, ?, ?, ?, ?, ?, ?)`,
  );
  const insPress = db.prepare(
    `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  db.transaction(() => {
    insEval.run('EAAA1', 'rated', null, T0, T0, null, T0 + 5000, 'rated', '[]', 1);
    insCase.run('EAAA1', 0, 'EAAA1', 'P-1', 5, 'key', T0 + 5000, null, null, 'rated');
    insPress.run(T0 + 5000, 'key', 5, 'SIM1', 1, 'rating', 'EAAA1');

    insEval.run(
      'EBBB2',
      'rated',
      'batch',
      T0 + 60_000,
      T0 + 60_000,
      null,
      T0 + 70_000,
      'rated',
      '["fast_rating"]',
      0,
    );
    insCase.run(
      'EBBB2',
      0,
      opts.oddRecordId ? 'EBBB2-7' : 'EBBB2-1',
      'P-2',
      2,
      'key',
      T0 + 70_000,
      '5011',
      '太慢',
      'rated',
    );
    insCase.run('EBBB2', 1, 'EBBB2-2', 'P-3', 2, 'key', T0 + 70_000, '5011', '太慢', 'rated');
    insPress.run(T0 + 70_000, 'key', 2, 'SIM1', 2, 'rating', 'EBBB2');

    // a stray press, then the open evaluation and its own press
    insPress.run(T0 + 100_000, 'touch', 3, null, null, 'no_evaluation', null);
    if (opts.openWithoutPresses) {
      // in its reasons step (a star chosen on the touch screen: no press logged against it)
      insEval.run('ECCC3', 'reasons', null, T0 + 110_000, T0 + 110_000, T0 + 170_000, null, null, '[]', 0);
      insCase.run('ECCC3', 0, 'ECCC3', 'P-4', 2, 'touch', T0 + 112_000, null, null, null);
    } else {
      insEval.run('ECCC3', 'waiting', null, T0 + 110_000, T0 + 110_000, T0 + 170_000, null, null, '[]', 0);
      insCase.run('ECCC3', 0, 'ECCC3', 'P-4', null, null, null, null, null, null);
      insPress.run(T0 + 115_000, 'touch', 4, null, null, 'ignored', 'ECCC3');
    }
  })();
  db.close();
}

const EVAL_COLUMNS = `id, state, group_type, chain_mode, current_idx, staff_id, staff_name, window_no, origin, started_ms,
  prompt_ms, step_deadline_ms, closed_ms, close_reason, cancelled_by, norm_version, risk_flags, receipt_prints, cancel_reason`;
const CASE_COLUMNS = `evaluation_id, idx, record_id, project_no, service_number, task_code, task_name, promise_type,
  chosen_satisfaction, chosen_source, chosen_ms, eval_detail, writing_evaluation, outcome`;

function rows(db: Database.Database): { evaluations: unknown[]; cases: unknown[]; presses: unknown[] } {
  return {
    evaluations: db.prepare(`SELECT ${EVAL_COLUMNS} FROM evaluations ORDER BY id`).all(),
    cases: db.prepare(`SELECT ${CASE_COLUMNS} FROM evaluation_cases ORDER BY evaluation_id, idx`).all(),
    presses: db.prepare('SELECT * FROM raw_inputs ORDER BY id').all(),
  };
}

describe('lean working rows (migration 7)', () => {
  it('keeps every value the queries read, computes the same record ids, and finds the open evaluation its presses', () => {
    const file = join(tmp.dir, 'six.db');
    schema6Db(file);
    const old = new Database(file, { readonly: true });
    const before = rows(old);
    old.close();

    const db = migratedToSchema(file, 7);
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(rows(db)).toEqual(before);
    expect(
      db
        .prepare(`SELECT evaluation_id AS e, grouped AS g FROM evaluation_cases ORDER BY evaluation_id, idx`)
        .all(),
    ).toEqual([
      { e: 'EAAA1', g: 0 },
      { e: 'EBBB2', g: 1 },
      { e: 'EBBB2', g: 1 },
      { e: 'ECCC3', g: 0 },
    ]);
    // the open evaluation's own press (id 4) comes after its mark; closed ones are never read again
    expect(
      db.prepare('SELECT id, inputs_after AS a FROM evaluations ORDER BY id').all() as Array<{
        id: string;
        a: number;
      }>,
    ).toEqual([
      { id: 'EAAA1', a: 0 },
      { id: 'EBBB2', a: 0 },
      { id: 'ECCC3', a: 3 },
    ]);

    const schema = (name: string) =>
      (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string } | undefined)
        ?.sql;
    expect(schema('evaluations')).toMatch(/WITHOUT ROWID/);
    // a case may hold a 500-character comment: it stays in a rowid table (no overflow page per row)
    expect(schema('evaluation_cases')).not.toMatch(/WITHOUT ROWID/);
    expect(schema('raw_inputs_evaluation')).toBeUndefined();
    const indexes = (
      db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name`).all() as Array<{
        name: string;
      }>
    ).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'evaluations_open',
        'evaluations_started',
        'evaluation_cases_case',
        'raw_inputs_at',
      ]),
    );
    // the cases' primary key only: no index of evaluations beside their rows, none of record ids
    expect(indexes.filter((n) => n.startsWith('sqlite_autoindex_evaluation'))).toEqual([
      'sqlite_autoindex_evaluation_cases_1',
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // a case of a missing evaluation is still refused
    expect(() =>
      db
        .prepare(
          `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type)
           VALUES ('ENONE', 0, 0, 'P', 1, 'T', 'N', 1)`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('an open evaluation with no press of its own yet: every press logged so far is before it', () => {
    const file = join(tmp.dir, 'reasons.db');
    schema6Db(file, { openWithoutPresses: true });
    const db = migratedToSchema(file, 7);
    expect(db.prepare(`SELECT inputs_after AS a FROM evaluations WHERE id = 'ECCC3'`).get()).toEqual({
      a: 3,
    });
    db.close();
  });

  it('refuses to change a record id its evaluation and position do not give: the database stays as it was', () => {
    const file = join(tmp.dir, 'odd.db');
    schema6Db(file, { oddRecordId: true });
    expect(() => openDatabase(file)).toThrow(/EBBB2-7/);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(
      db
        .prepare(`SELECT record_id AS r FROM evaluation_cases WHERE evaluation_id = 'EBBB2' ORDER BY idx`)
        .all(),
    ).toEqual([{ r: 'EBBB2-7' }, { r: 'EBBB2-2' }]);
    db.close();
  });
});
