import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * HELD_RECORD_SQL (figures.ts) holds a record without a working row on its own seal time. A folded
 * record's created_ms is on the time line of the run that sealed it; after a restart with the clock
 * behind (decision 195: an RTC that booted in 2000; or merely set back an hour) a seal time after
 * now is not held: no evaluation on this clock could release it, and the bad-review list would
 * lose it with its appeal deadline.
 */
type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture(); // 2026-09-30 10:00 CST
});
afterEach(() => fx.cleanup());

describe('a folded 差评 after a restart with the pad clock behind', () => {
  it('stays in the staff member’s bad-review list', () => {
    const id = fx.svc.start(
      { cases: [oneCase('RV2-H-1')] },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    fx.svc.press({ source: 'touch', key: 1, evaluationId: id });
    fx.svc.submitReasons(id, [badCode(1)], undefined);
    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    const trueNow = fx.clock.now();
    expect(
      new StaffQueries(fx.db, fx.clock, () => 3).badReviews(STAFF.staffId).map((b) => b.recordId),
    ).toEqual([id]);

    // Next morning the pad starts with its RTC in 2000; the platform confirms the time (offset).
    fx.clock.t = Date.UTC(2000, 0, 1, 0, 0, 0);
    const offset = trueNow + 18 * 3600_000 - fx.clock.t;
    const queries = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      undefined,
      () => offset,
    );
    // Today: [] — held as if sealed a minute ago.
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([id]);

    // Nor does the next evaluation at the window release it (it started "before" the seal).
    const next = fx.svc.start(
      { cases: [oneCase('RV2-H-2')] },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    fx.svc.press({ source: 'touch', key: 5, evaluationId: next });
    fx.clock.advance(3600_000);
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([id]);
  });
});
