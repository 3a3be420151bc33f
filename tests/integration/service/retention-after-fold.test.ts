import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { pruneDelivered, pruneWorkingRows } from '../../../src/store/retention.js';
import { STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * Decision 220 against retention (decision 210, `retention.keepDeliveredDays` 1–3650): after the
 * fold an evaluation's records are its only history. With a retention shorter than the figures'
 * two months (a technician's choice; the default is a year), an evaluation of this month whose
 * records were pruned is forgotten by the window API, a reprint and the recent list, as records
 * past retention are meant to be; the figures still count it, its 差评 with its appeal state.
 */
type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const KEEP_DAYS = 7;

describe('a folded evaluation of this month whose records retention took', () => {
  it('is forgotten with its records, and still counted in the figures with its appeal state', () => {
    fx.clock.t = Date.UTC(2026, 8, 5, 2, 0, 0); // 2026-09-05 10:00 CST
    const id = fx.svc.start(
      { cases: [oneCase('RET-1')] },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    fx.svc.press({ source: 'touch', key: 1, evaluationId: id });
    fx.svc.submitReasons(id, [badCode(1)], undefined);
    fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(id).printId, 'printed');

    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });

    // 2026-09-30: delivered long ago, past a retention of a week.
    fx.clock.t = Date.UTC(2026, 8, 30, 2, 0, 0);
    fx.db.prepare(`DELETE FROM outbox WHERE kind = 'record'`).run(); // delivered (outbox.ts markDelivered)
    expect(pruneDelivered(fx.db, { keepDays: KEEP_DAYS, nowMs: fx.clock.now() }).deleted).toBe(1);
    pruneWorkingRows(fx.db, { keepDays: KEEP_DAYS, nowMs: fx.clock.now() });

    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    // GET /v1/evaluations/{id} and a receipt reprint: 404, as for any id the pad no longer has
    expect(fx.svc.get(id)).toBeNull();
    expect(queries.recent(STAFF.staffId)).toEqual([]);
    // the month's 差评 is counted (day_figures) with its appeal state, noted when it was folded
    const month = queries.figures(STAFF.staffId).month;
    expect(month).toMatchObject({ started: 1, rated: 1, badCount: 1 });
    expect(month.badAppeals).toMatchObject({ expired: 1 });
    const appeals = Object.values(month.badAppeals).reduce((a, b) => a + b, 0);
    expect(appeals).toBe(month.badCount);
  });
});
