import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseRated, lastAttemptAbandonedBad, lastClosedVisit } from '../../../src/store/case-memory.js';
import { openDatabase } from '../../../src/store/db.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Migration 9 (decision 220): the case look-ups move from the case rows to `case_memory`, filled
 * from the rows a schema-8 pad kept, so a pad updated with months of evaluations answers them as
 * before: 即办件 rated once, the next 承诺件 visit, a restart after an abandoned 差评.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 10, 2, 1, 0, 0);

function schema8Db(file: string): void {
  const db = databaseAtSchema(file, 8);
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, staff_id, staff_name, window_no, origin, started_ms, prompt_ms,
       closed_ms, close_reason, norm_version)
     VALUES (?, ?, 'S01', '张三', '12', 'window_api', ?, ?, ?, 'x', 'national-2020-05')`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name,
       promise_type, chosen_satisfaction, outcome)
     VALUES (?, 0, 0, ?, ?, '370900-XK-0001', '个体工商户设立登记', ?, ?, ?)`,
  );
  const evaluation = (
    id: string,
    minute: number,
    state: string,
    projectNo: string,
    visit: number,
    promise: 1 | 2,
    chosen: number | null,
    outcome: string | null,
  ) => {
    const t = T0 + minute * 60_000;
    insEval.run(id, state, t, t, state === 'waiting' ? null : t + 30_000);
    insCase.run(id, projectNo, visit, promise, chosen, outcome);
  };
  db.transaction(() => {
    evaluation('EA', 0, 'rated', 'P-1', 1, 1, 5, 'rated');
    evaluation('EB', 1, 'unrated', 'P-2', 1, 1, 2, 'unrated'); // an abandoned 差评
    evaluation('EC', 2, 'unrated', 'P-3', 1, 2, 1, 'unrated'); // an abandoned 差评 ...
    evaluation('ED', 3, 'rated', 'P-3', 1, 2, 4, 'rated'); // ... then the same visit rated
    evaluation('EE', 4, 'unrated', 'P-3', 2, 2, null, 'unrated'); // the next visit ran out
    evaluation('EF', 5, 'cancelled', 'P-4', 1, 1, null, 'cancelled');
    evaluation('EG', 6, 'waiting', 'P-5', 1, 1, null, null);
  })();
  db.close();
}

describe('case memory (migration 9)', () => {
  it('remembers every closed visit from the case rows, and the look-ups answer as the rows did', () => {
    const file = join(tmp.dir, 'eight.db');
    schema8Db(file);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(
      db
        .prepare(
          `SELECT project_no AS p, service_number AS v, rated, last_started_ms - ${T0} AS t, last_abandoned_bad AS bad
           FROM case_memory ORDER BY p, v`,
        )
        .all(),
    ).toEqual([
      { p: 'P-1', v: 1, rated: 1, t: 0, bad: 0 },
      { p: 'P-2', v: 1, rated: 0, t: 60_000, bad: 1 },
      { p: 'P-3', v: 1, rated: 1, t: 180_000, bad: 0 },
      { p: 'P-3', v: 2, rated: 0, t: 240_000, bad: 0 },
    ]);
    expect([caseRated(db, 'P-1', null), caseRated(db, 'P-2', null), caseRated(db, 'P-4', null)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([caseRated(db, 'P-3', 1), caseRated(db, 'P-3', 2)]).toEqual([true, false]);
    expect([lastClosedVisit(db, 'P-3'), lastClosedVisit(db, 'P-5'), lastClosedVisit(db, 'P-9')]).toEqual([
      2, 0, 0,
    ]);
    expect(['P-1', 'P-2', 'P-3', 'P-4'].map((p) => lastAttemptAbandonedBad(db, p))).toEqual([
      false,
      true,
      false,
      false,
    ]);
    const sql = (name: string) =>
      (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string } | undefined)
        ?.sql;
    expect(sql('evaluation_cases_case')).toBeUndefined();
    expect(sql('receipt_prints_evaluation')).toMatch(/receipt_prints\(evaluation_id\)/);
    expect(sql('day_figures')).toMatch(/WITHOUT ROWID/);
    db.close();
  });
});
