import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { newEvaluationId } from '../../../src/service/evaluation/starting.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Migration 8 (decision 212): a case's reason codes and comment are kept only in its sealed record,
 * and case rows become a WITHOUT ROWID table. What must not change: every other value of every
 * case, every record id, and the rules the table enforces.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 10, 2, 1, 0, 0);

/** A database as schema 7 left it: a rated single case with a comment, a batch of two, an open one. */
function schema7Db(file: string): void {
  const db = databaseAtSchema(file, 7);
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, group_type, staff_id, staff_name, window_no, origin, started_ms, prompt_ms,
       closed_ms, close_reason, norm_version)
     VALUES (?, ?, ?, 'S01', '张三', '12', 'window_api', ?, ?, ?, ?, 'national-2020-05')`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name,
       promise_type, chosen_satisfaction, chosen_source, chosen_ms, eval_detail, writing_evaluation, outcome)
     VALUES (?, ?, ?, ?, ?, '370900-XK-0001', '个体工商户设立登记', ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    insEval.run('EAAA1', 'rated', null, T0, T0, T0 + 5000, 'rated');
    insCase.run(
      'EAAA1',
      0,
      0,
      'P-1',
      1,
      1,
      1,
      'key',
      T0 + 5000,
      '5011,5012',
      '等了两个小时'.repeat(40),
      'rated',
    );
    insEval.run('EBBB2', 'unrated', 'batch', T0 + 60_000, T0 + 60_000, T0 + 120_000, 'timeout');
    insCase.run('EBBB2', 0, 1, 'P-2', 3, 2, null, null, null, null, null, 'unrated');
    insCase.run('EBBB2', 1, 1, 'P-3', 1, 2, 2, 'touch', T0 + 70_000, null, null, 'unrated');
    insEval.run('ECCC3', 'waiting', 'chain', T0 + 200_000, T0 + 200_000, null, null);
    insCase.run('ECCC3', 0, 1, 'P-4', 2, 1, 4, 'key', T0 + 205_000, null, null, 'rated');
    insCase.run('ECCC3', 1, 1, 'P-5', 1, 1, null, null, null, null, null, null);
  })();
  db.close();
}

const KEPT_COLUMNS = `evaluation_id, idx, grouped, record_id, project_no, service_number, task_code, task_name,
  promise_type, chosen_satisfaction, chosen_source, chosen_ms, outcome`;
const cases = (db: Database.Database) =>
  db.prepare(`SELECT ${KEPT_COLUMNS} FROM evaluation_cases ORDER BY evaluation_id, idx`).all();
const columns = (db: Database.Database) =>
  (
    db.prepare(`SELECT name FROM pragma_table_xinfo('evaluation_cases')`).all() as Array<{ name: string }>
  ).map((c) => c.name);

describe('case rows without the sealed text (migration 8)', () => {
  it('keeps every other value and record id, drops the reasons and comment, and keeps the rows in key order', () => {
    const file = join(tmp.dir, 'seven.db');
    schema7Db(file);
    const old = new Database(file, { readonly: true });
    const before = cases(old);
    expect(columns(old)).toContain('writing_evaluation');
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(cases(db)).toEqual(before);
    expect(
      (
        db.prepare('SELECT record_id AS r FROM evaluation_cases ORDER BY evaluation_id, idx').all() as Array<{
          r: string;
        }>
      ).map((x) => x.r),
    ).toEqual(['EAAA1', 'EBBB2-1', 'EBBB2-2', 'ECCC3-1', 'ECCC3-2']);
    expect(columns(db)).not.toContain('writing_evaluation');
    expect(columns(db)).not.toContain('eval_detail');
    const sql = (name: string) =>
      (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string } | undefined)
        ?.sql;
    expect(sql('evaluation_cases')).toMatch(/WITHOUT ROWID/);
    expect(sql('evaluation_cases_case')).toMatch(/project_no, service_number/);
    // no second b-tree for the key beside the rows
    expect(
      db.prepare(`SELECT name FROM sqlite_schema WHERE name LIKE 'sqlite_autoindex_evaluation_cases%'`).all(),
    ).toEqual([]);
    // the rules the table enforced still hold
    const insert = (evaluationId: string, idx: number, outcome: string | null = null) =>
      db
        .prepare(
          `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type, outcome)
           VALUES (?, ?, 1, 'P-9', 1, 'T', 'N', 1, ?)`,
        )
        .run(evaluationId, idx, outcome);
    expect(() => insert('ENONE', 0)).toThrow(/FOREIGN KEY/);
    expect(() => insert('ECCC3', 1)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert('ECCC3', 2, 'lost')).toThrow(/CHECK/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('the longest case the window API accepts stays on its own page (no overflow page per row)', () => {
    const db = openDatabase(join(tmp.dir, 'long.db'));
    // The longest values the schemas allow, in bytes: zod counts UTF-16 units, so 3-byte characters
    // make the longest UTF-8 (50 for the project number and the task code, 200 for the task name);
    // the evaluation id as the pad makes it; the largest visit number a platform could send.
    const id = newEvaluationId(T0);
    db.prepare(
      `INSERT INTO evaluations (id, state, staff_id, staff_name, window_no, origin, started_ms, prompt_ms, norm_version)
       VALUES (?, 'waiting', 'S01', '张三', '12', 'window_api', ?, ?, 'national-2020-05')`,
    ).run(id, T0, T0);
    const insert = db.prepare(
      `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type,
         chosen_satisfaction, chosen_source, chosen_ms, outcome)
       VALUES (?, ?, 1, ?, ?, ?, ?, 2, 5, 'touch', ?, 'cancelled')`,
    );
    for (let idx = 0; idx < 20; idx++)
      insert.run(
        id,
        idx,
        `${idx}`.padStart(50, '办'),
        Number.MAX_SAFE_INTEGER,
        '项'.repeat(50),
        '事'.repeat(200),
        T0,
      );
    const longest = db
      .prepare(
        `SELECT MAX(length(CAST(project_no AS BLOB)) + length(CAST(task_code AS BLOB)) + length(CAST(task_name AS BLOB))) AS b
         FROM evaluation_cases`,
      )
      .get() as { b: number };
    expect(longest.b).toBeGreaterThan(890);
    const pages = db
      .prepare(
        `SELECT pagetype AS t, COUNT(*) AS n FROM dbstat WHERE name = 'evaluation_cases' GROUP BY pagetype`,
      )
      .all() as Array<{ t: string; n: number }>;
    expect(pages.find((p) => p.t === 'overflow')).toBeUndefined();
    expect(pages.find((p) => p.t === 'leaf')?.n).toBeGreaterThan(1);
    db.close();
  });
});
