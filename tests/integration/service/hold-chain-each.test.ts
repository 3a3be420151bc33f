import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * The anti-interference hold (HELD_SQL, figures.ts) covers an open evaluation too: a chain rated
 * item by item seals each item as it is rated and goes back to 'waiting' for the next one, and a
 * 差评 given to its first item must not reach the staff member's bad-review list or today's
 * figures while the citizen is still at the window rating the second item.
 */
type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

describe('a chain rated item by item, still open', () => {
  it('its first item’s 差评 stays out of the staff side until the citizen has gone', () => {
    const id = fx.svc.start(
      {
        cases: [oneCase('CE-1'), { ...oneCase('CE-2'), taskCode: '370900-XK-0107' }],
        groupType: 'chain',
      },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    fx.svc.chooseChainMode(id, 'each');
    fx.svc.press({ source: 'touch', key: 1, evaluationId: id });
    expect(fx.svc.submitReasons(id, [badCode(1)], undefined)).toEqual({ state: 'next_item' });
    expect(fx.svc.get(id)?.evaluation.state).toBe('waiting'); // the citizen is rating item 2

    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    expect(queries.badReviews(STAFF.staffId)).toEqual([]);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 0, pending: 2 });
    // item 2 gets a 差评 star too: the reasons step is open, the citizen still there
    fx.svc.press({ source: 'touch', key: 2, evaluationId: id });
    expect(fx.svc.get(id)?.evaluation.state).toBe('reasons');
    expect(queries.badReviews(STAFF.staffId)).toEqual([]);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 0, pending: 2 });
    // reasons given, the chain closes; the next evaluation at the window releases both
    fx.svc.submitReasons(id, [badCode(2)], undefined);
    fx.svc.start({ cases: [oneCase('CE-3')] }, { origin: 'window_api', staff: STAFF });
    expect(queries.badReviews(STAFF.staffId)).toHaveLength(2);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 2, pending: 1 });
  });
});
