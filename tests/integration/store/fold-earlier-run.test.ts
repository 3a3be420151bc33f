import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCst } from '../../../src/domain/time.js';
import type { EvaluationService } from '../../../src/service/evaluations.js';
import type { Db } from '../../../src/store/db.js';
import { staffFigures } from '../../../src/store/figures.js';
import { foldClosedEvaluations } from '../../../src/store/fold.js';
import { STAFF, TIMING, oneCase, records, serviceFixture } from '../../helpers/service.js';
import { FakeClock } from '../../helpers/tmp.js';

/**
 * An evaluation's started_ms is on the time line of the run that started it (PadClock: the wall
 * clock read at that start); when the clock was corrected between runs, this run's offset does not
 * apply to it. An evaluation of the last 4 h before the pad was switched off folds in the next run:
 * it is placed on the day its record says, when the record was sealed on a confirmed clock.
 */

let offset = 0;
const clock = new FakeClock();
let fx: ReturnType<typeof serviceFixture>;
let db: Db;
let svc: EvaluationService;

beforeEach(() => {
  // the platform confirmed the time in both runs
  fx = serviceFixture({ clock, clockOffsetMs: () => offset, clockUnsynced: () => false });
  ({ db, svc } = fx);
});
afterEach(() => fx.cleanup());

const DAY = 86_400_000;

describe('an evaluation started in an earlier run, whose clock was corrected since', () => {
  it('folds onto the day its record says (true, synced time), not the pad-clock day of this run', () => {
    // Run 1: the pad's clock is a day behind; the platform said so (offset +1 day).
    offset = DAY;
    clock.t = parseCst('2026-11-01 16:00:00') - offset; // the pad says 2026-10-31 16:00
    const { evaluationId } = svc.start(
      { cases: [oneCase('RV2-RUN-1')] },
      { origin: 'window_api', staff: STAFF },
    );
    clock.advance(3000);
    svc.press({ source: 'touch', key: 5, evaluationId });
    clock.advance(TIMING.optionalExtrasTimeoutS * 1000 + 1);
    svc.expireDue();
    expect(records(db)[0]).toMatchObject({ status: 'rated', startedTime: '2026-11-01 16:00:00' });
    expect(records(db)[0]?.clockUnsynced).toBeUndefined();
    // Live, in run 1: counted in November.
    expect(staffFigures(db, STAFF.staffId, clock.now(), { clockOffsetMs: offset }).month.started).toBe(1);
    // 18:00 closing time: switched off before the 4 h passed. A technician sets the clock right.

    // Run 2, next morning: pad clock right, offset 0, confirmed.
    offset = 0;
    clock.t = parseCst('2026-11-02 09:00:00');
    expect(foldClosedEvaluations(db, { nowMs: clock.now(), clockOffsetMs: offset }).evaluations).toBe(1);

    const days = db.prepare('SELECT day, started FROM day_figures').all();
    // Today: [{ day: '2026-10-31', started: 1 }] — October, for good.
    expect(days).toEqual([{ day: '2026-11-01', started: 1 }]);
    expect(staffFigures(db, STAFF.staffId, clock.now(), { clockOffsetMs: offset }).month.started).toBe(1);
  });
});
