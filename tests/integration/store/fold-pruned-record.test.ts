import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCst } from '../../../src/domain/time.js';
import type { Figures } from '../../../src/domain/types.js';
import { staffFigures, windowFigures } from '../../../src/store/figures.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { markDelivered, pendingRecords } from '../../../src/store/outbox.js';
import { pruneDelivered } from '../../../src/store/retention.js';
import { STAFF, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * Retention keeps delivered records `keepDeliveredDays` (1–3650 days). A folded evaluation has no
 * case rows left: each of its 差评 is noted in day_figures.bad_reviews when it folds, so it stays in
 * exactly one appeal state of the figures whatever retention later does to its record.
 */

let fx: ReturnType<typeof serviceFixture>;
beforeEach(() => {
  fx = serviceFixture();
  fx.clock.t = parseCst('2026-10-02 10:00:00');
});
afterEach(() => fx.cleanup());

const appealsTotal = (f: Figures) => Object.values(f.badAppeals).reduce((a, b) => a + b, 0);

/** A 1-star rating with its reasons, sealed and delivered to the platform. */
function badRating(projectNo: string): void {
  const { evaluationId } = fx.svc.start(
    { cases: [oneCase(projectNo)] },
    { origin: 'window_api', staff: STAFF },
  );
  fx.clock.advance(3000);
  fx.svc.press({ source: 'touch', key: 1, evaluationId });
  fx.svc.submitReasons(evaluationId, [], '等了很久');
  markDelivered(
    fx.db,
    pendingRecords(fx.db, 100).map((r) => r.recordId),
    fx.clock.now(),
  );
}

describe('a folded 差评 whose record retention pruned', () => {
  it('folded first, pruned later: still counted in an appeal state, as the case row did', () => {
    badRating('RV-PR-1');
    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    fx.clock.t = parseCst('2026-10-12 10:00:00');
    // keepDeliveredDays = 7 (allowed: ≥ 1) takes the 10-02 record
    expect(pruneDelivered(fx.db, { keepDays: 7, nowMs: fx.clock.now() }).deleted).toBe(1);
    const { month } = staffFigures(fx.db, STAFF.staffId, fx.clock.now());
    expect(month.badCount).toBe(1);
    expect(appealsTotal(month)).toBe(month.badCount); // was 0 at c584172: the 差评 vanished from badAppeals
    expect(month.badAppeals.expired).toBe(1);
  });

  it('pruned first (a pad updated with its rows kept), folded later: the figures do not change', () => {
    badRating('RV-PR-2');
    fx.clock.t = parseCst('2026-10-12 10:00:00');
    expect(pruneDelivered(fx.db, { keepDays: 7, nowMs: fx.clock.now() }).deleted).toBe(1);
    const before = {
      staff: staffFigures(fx.db, STAFF.staffId, fx.clock.now()),
      window: windowFigures(fx.db, '12', fx.clock.now()),
    };
    expect(before.staff.month.badAppeals.expired).toBe(1); // from the case row's chosen time
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    expect({
      staff: staffFigures(fx.db, STAFF.staffId, fx.clock.now()),
      window: windowFigures(fx.db, '12', fx.clock.now()),
    }).toEqual(before);
  });
});
