import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseRated, lastAttemptAbandonedBad, lastClosedVisit } from '../../../src/store/case-memory.js';
import { openDatabase } from '../../../src/store/db.js';
import { foldClosedEvaluations } from '../../../src/store/fold.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Migration 9 (decision 220) and the case look-ups: a pad updated with months of case rows answers
 * them from the rows as before (即办件 rated once, the next 承诺件 visit, a restart after an
 * abandoned 差评), and the same once those rows are folded into `case_memory`.
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
  it('answers from the case rows kept, and the same once they are folded', () => {
    const file = join(tmp.dir, 'eight.db');
    schema8Db(file);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const sql = (name: string) =>
      (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string } | undefined)
        ?.sql;
    expect(sql('case_memory')).toMatch(/WITHOUT ROWID/);
    expect(sql('day_figures')).toMatch(/WITHOUT ROWID/);
    expect(sql('receipt_prints_evaluation')).toMatch(/receipt_prints\(evaluation_id\)/);
    const answers = () => ({
      rated: [caseRated(db, 'P-1', null), caseRated(db, 'P-2', null), caseRated(db, 'P-4', null)],
      visitRated: [caseRated(db, 'P-3', 1), caseRated(db, 'P-3', 2)],
      lastVisit: [lastClosedVisit(db, 'P-3'), lastClosedVisit(db, 'P-5'), lastClosedVisit(db, 'P-9')],
      abandoned: ['P-1', 'P-2', 'P-3', 'P-4'].map((p) => lastAttemptAbandonedBad(db, p)),
    });
    const expected = {
      rated: [true, false, false],
      visitRated: [true, false],
      lastVisit: [2, 0, 0],
      abandoned: [false, true, false, false],
    };
    expect(db.prepare('SELECT COUNT(*) AS n FROM case_memory').get()).toEqual({ n: 0 });
    expect(answers()).toEqual(expected);

    expect(foldClosedEvaluations(db, { nowMs: T0 + 86_400_000 }).evaluations).toBe(6);
    expect(db.prepare('SELECT id FROM evaluations').all()).toEqual([{ id: 'EG' }]);
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
    expect(answers()).toEqual(expected);
    db.close();
  });
});
