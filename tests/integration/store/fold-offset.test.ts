import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCst } from '../../../src/domain/time.js';
import type { EvaluationService } from '../../../src/service/evaluations.js';
import type { Db } from '../../../src/store/db.js';
import { staffFigures, windowFigures } from '../../../src/store/figures.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { STAFF, TIMING, oneCase, serviceFixture } from '../../helpers/service.js';
import { FakeClock } from '../../helpers/tmp.js';

/**
 * The figures place a live evaluation on the true CST day of its start with the platform's
 * current clock offset (decision 195: "whatever the pad's clock says, an RTC that booted in 2000"),
 * and the fold places it with the offset it is given (the host folds only once the platform
 * confirmed the clock), so an evaluation does not leave "today" or "this month" when it folds.
 */

let offset: number;
const clock = new FakeClock(Date.UTC(2000, 0, 1, 0, 0, 0)); // the RTC booted in 2000
let fx: ReturnType<typeof serviceFixture>;
let db: Db;
let svc: EvaluationService;

beforeEach(() => {
  clock.t = Date.UTC(2000, 0, 1, 0, 0, 0);
  offset = 0; // not known yet: the platform has not answered since this start
  fx = serviceFixture({ clock, clockOffsetMs: () => offset, clockUnsynced: () => offset === 0 });
  ({ db, svc } = fx);
});
afterEach(() => fx.cleanup());

describe('a folded evaluation keeps the day the live figures gave it', () => {
  it('an evaluation sealed before the clock offset was known stays in today and this month after the fold', () => {
    const { evaluationId } = svc.start(
      { cases: [oneCase('RV-OFF-1')] },
      { origin: 'window_api', staff: STAFF },
    );
    clock.advance(3000);
    svc.press({ source: 'touch', key: 5, evaluationId }); // a 5-star: optional extras offered
    clock.advance(TIMING.optionalExtrasTimeoutS * 1000 + 1);
    svc.expireDue(); // sealed with offset 0: its record says it started on 2000-01-01
    expect(db.prepare('SELECT state FROM evaluations').all()).toEqual([{ state: 'rated' }]);
    // The platform answers: the true time of the start was 2026-10-12 08:00 CST.
    offset = parseCst('2026-10-12 08:00:03') - clock.now();
    clock.advance(FOLD_AFTER_MS + 60_000); // true time 12:01 the same day
    const opts = { clockOffsetMs: offset };
    const staffBefore = staffFigures(db, STAFF.staffId, clock.now(), opts);
    const windowBefore = windowFigures(db, '12', clock.now(), opts);
    expect(staffBefore.today).toMatchObject({ started: 1, rated: 1, goodCount: 1 });
    expect(staffBefore.month).toMatchObject({ started: 1, rated: 1, goodCount: 1 });

    expect(foldClosedEvaluations(db, { nowMs: clock.now(), clockOffsetMs: offset }).evaluations).toBe(1);

    // Same instant, same offset: the figures must not change because the rows were folded.
    expect(staffFigures(db, STAFF.staffId, clock.now(), opts)).toEqual(staffBefore);
    expect(windowFigures(db, '12', clock.now(), opts)).toEqual(windowBefore);
  });
});
