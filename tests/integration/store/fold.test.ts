import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { foldStep } from '../../../src/host/upkeep.js';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { STAFF, TIMING, oneCase, records, serviceFixture } from '../../helpers/service.js';

/**
 * Folding (decision 220): a closed evaluation's working rows go a few hours after it closed; what
 * the pad must still know of it is in its records, the case memory and the day figures.
 */

let fx: ReturnType<typeof serviceFixture>;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const ctx = { origin: 'window_api' as const, staff: STAFF };
const start = (input: Parameters<typeof fx.svc.start>[0]) => fx.svc.start(input, ctx);
const count = (table: string) =>
  (fx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
let counter = 0;
const press = (key: number) =>
  fx.svc.press({ source: 'key', key, board: { serial: 'F', bootId: 1, counter: ++counter } });

/** Folds everything closed until now, as the pad's upkeep does hours later. */
function foldAll(): void {
  fx.clock.advance(FOLD_AFTER_MS + 1);
  foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });
}

function expectRefused(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('folding closed evaluations into their records', () => {
  it('drops the working rows and presses of closed evaluations only, and keeps their records', () => {
    start({ cases: [oneCase('F-1')] });
    fx.clock.advance(2000);
    press(5);
    start({ cases: [oneCase('F-2'), oneCase('F-3')], groupType: 'batch' });
    fx.clock.advance(2000);
    press(2);
    fx.svc.submitReasons(fx.svc.openEvaluation()?.evaluation.id as string, [], '等了很久');
    fx.clock.advance(FOLD_AFTER_MS - 60_000);
    // closed 4 h ago less a minute: not yet
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() })).toEqual({ evaluations: 0, presses: 0 });
    const open = start({ cases: [oneCase('F-4')] }).evaluationId;
    fx.clock.advance(2000);
    fx.svc.press({ source: 'touch', key: 1, evaluationId: open }); // a 差评 star: reasons pending
    fx.clock.advance(120_000);
    // the presses stay: the last 64 are kept whatever their age (a board may resend a KEY)
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() })).toEqual({ evaluations: 2, presses: 0 });
    expect(fx.db.prepare('SELECT id FROM evaluations').all()).toEqual([{ id: open }]);
    expect(count('evaluation_cases')).toBe(1);
    expect(count('raw_inputs')).toBe(3);
    expect(records(fx.db).map((r) => r.evaluationId)).toHaveLength(3);
    expect(
      fx.db.prepare('SELECT staff_id AS s, window_no AS w, started, rated, good, bad FROM day_figures').all(),
    ).toEqual([{ s: STAFF.staffId, w: '12', started: 3, rated: 3, good: 1, bad: 2 }]);
    // nothing left to fold: a second run changes nothing
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() })).toEqual({ evaluations: 0, presses: 0 });
  });

  it('folds in bounded steps, earliest first', () => {
    for (let i = 0; i < 5; i++) {
      start({ cases: [oneCase(`F-L${i}`)] });
      press(4);
      fx.clock.advance(60_000);
    }
    fx.clock.advance(FOLD_AFTER_MS);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now(), limit: 2 }).evaluations).toBe(2);
    expect(count('evaluations')).toBe(3);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now(), limit: 2 }).evaluations).toBe(2);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now(), limit: 2 }).evaluations).toBe(1);
    expect((fx.db.prepare('SELECT SUM(started) AS n FROM day_figures').get() as { n: number }).n).toBe(5);
  });

  it('a folded 即办件 stays rated: a second evaluation is refused', () => {
    start({ cases: [oneCase('F-A', 1)] });
    press(5);
    foldAll();
    expect(count('evaluation_cases')).toBe(0);
    expectRefused(() => start({ cases: [oneCase('F-A', 1)] }), 'already_rated');
  });

  it('a folded 承诺件 visit is remembered: the next visit gets the next number, a rated one is refused', () => {
    start({ cases: [oneCase('F-B', 2)] });
    press(4);
    foldAll();
    start({ cases: [oneCase('F-B', 2)] });
    press(3);
    foldAll();
    start({ cases: [oneCase('F-B', 2)] });
    fx.clock.advance(TIMING.rateTimeoutS * 1000 + 1);
    fx.svc.expireDue(); // visit 3 closes unrated: still counted as a visit
    foldAll();
    start({ cases: [oneCase('F-B', 2)] });
    press(5);
    expect(records(fx.db).map((r) => [r.serviceNumber, r.status])).toEqual([
      [1, 'rated'],
      [2, 'rated'],
      [3, 'unrated'],
      [4, 'rated'],
    ]);
    expectRefused(() => start({ cases: [{ ...oneCase('F-B', 2), serviceNumber: 2 }] }), 'already_rated');
  });

  it('a restart after a folded abandoned 差评 is still flagged restart_after_bad; a later rating clears it', () => {
    start({ cases: [oneCase('F-R')] });
    fx.clock.advance(3000);
    press(1);
    fx.clock.advance(TIMING.reasonsTimeoutS * 1000 + 1);
    fx.svc.expireDue();
    foldAll();
    start({ cases: [oneCase('F-R')] });
    fx.clock.advance(3000);
    press(5);
    foldAll();
    expect(records(fx.db).map((r) => [r.status, r.riskFlags])).toEqual([
      ['unrated', undefined],
      ['rated', ['restart_after_bad']],
    ]);
    // the latest attempt was rated: a 承诺件-like restart of the same case is not flagged again
    expect(fx.db.prepare('SELECT last_abandoned_bad AS bad FROM case_memory').all()).toEqual([{ bad: 0 }]);
  });

  it('a cancelled evaluation folds into the figures as cancelled and leaves no case memory', () => {
    const { evaluationId } = start({ cases: [oneCase('F-C')] });
    fx.svc.cancel(evaluationId, { reason: 'wrong_case', staffId: STAFF.staffId, channel: 'test' });
    foldAll();
    expect(fx.db.prepare('SELECT started, cancelled, rated FROM day_figures').all()).toEqual([
      { started: 1, cancelled: 1, rated: 0 },
    ]);
    expect(count('case_memory')).toBe(0);
    start({ cases: [oneCase('F-C')] }); // never rated: may start again
  });

  it('差评 folded in two steps into one day are both noted, each with its appeal state', () => {
    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    const bad = (projectNo: string) => {
      const { evaluationId } = start({ cases: [oneCase(projectNo)] });
      press(1);
      fx.svc.submitReasons(evaluationId, [], '态度差');
      return evaluationId;
    };
    const first = bad('F-D1');
    fx.clock.advance(FOLD_AFTER_MS + 1);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    fx.clock.advance(60_000);
    const second = bad('F-D2');
    fx.clock.advance(FOLD_AFTER_MS + 1);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    const noted = fx.db.prepare('SELECT bad_reviews AS b FROM day_figures').all() as Array<{ b: string }>;
    expect(noted).toHaveLength(1);
    expect((JSON.parse(noted[0]?.b ?? '[]') as unknown[][]).map((f) => f[0])).toEqual([first, second]);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 2, badAppeals: { open: 2 } });
  });

  it("a staff member's bad reviews and figures read the same before and after the fold", () => {
    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    for (const [i, star] of [5, 1, 2, 4, 1].entries()) {
      const { evaluationId } = start({ cases: [oneCase(`F-Q${i}`)] });
      fx.clock.advance(2000);
      press(star);
      if (star <= 2) fx.svc.submitReasons(evaluationId, [], '办理太慢');
      fx.clock.advance(60_000);
    }
    fx.clock.advance(FOLD_AFTER_MS + 1);
    const before = { bad: queries.badReviews(STAFF.staffId), figures: queries.figures(STAFF.staffId) };
    expect(before.bad).toHaveLength(3);
    foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });
    expect(count('evaluations')).toBe(0);
    expect({ bad: queries.badReviews(STAFF.staffId), figures: queries.figures(STAFF.staffId) }).toEqual(
      before,
    );
  });

  it('presses go once they are as old as the fold and no kept evaluation holds them, the last 64 never', () => {
    for (let i = 0; i < 70; i++) press(3); // no evaluation open: logged and ignored
    const { evaluationId } = start({ cases: [oneCase('F-P')] });
    press(1); // a 差评 star: its evaluation stays open, waiting for the reasons
    const kept = counter;
    fx.clock.advance(FOLD_AFTER_MS + 1);
    press(3);
    // 72 presses: the oldest 8 may go, and the open evaluation's own one stays with it
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() })).toEqual({ evaluations: 0, presses: 8 });
    expect(count('raw_inputs')).toBe(64);
    // the open evaluation's presses (its star, and the key pressed while it waits) stay with it
    expect(
      fx.db.prepare('SELECT counter FROM raw_inputs WHERE evaluation_id = ? ORDER BY id').all(evaluationId),
    ).toEqual([{ counter: kept }, { counter: kept + 1 }]);
  });

  it('upkeep folds in steps of 50 and says when more is due; a failure is logged, not thrown', () => {
    for (let i = 0; i < 60; i++) {
      start({ cases: [oneCase(`F-S${i}`)] });
      press(5);
      fx.clock.advance(1000);
    }
    fx.clock.advance(FOLD_AFTER_MS + 1);
    const logged: Array<[string, string]> = [];
    const log = (level: string, message: string) => void logged.push([level, message]);
    expect(foldStep(fx.db, fx.clock.now(), 0, log)).toBe(true);
    expect(count('evaluations')).toBe(10);
    expect(foldStep(fx.db, fx.clock.now(), 0, log)).toBe(false);
    expect(count('evaluations')).toBe(0);
    fx.db.exec('DROP TABLE day_figures');
    start({ cases: [oneCase('F-S-late')] });
    press(5);
    fx.clock.advance(FOLD_AFTER_MS + 1);
    expect(foldStep(fx.db, fx.clock.now(), 0, log)).toBe(false);
    expect(count('evaluations')).toBe(1); // the failed step changed nothing
    expect(logged.map(([level]) => level)).toEqual(['info', 'info', 'error']);
  });
});
