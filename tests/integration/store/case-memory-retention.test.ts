import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { pruneWorkingRows } from '../../../src/store/retention.js';
import { STAFF, oneCase, records, serviceFixture } from '../../helpers/service.js';

/**
 * A 即办件's case row (what refuses a second rating) went only with its evaluation, and retention
 * takes an evaluation only once none of its records is left (a record still pending, or kept
 * behind a rejected one, keeps it). The case memory a fold leaves goes under the same rule:
 * not while the rating's record is still on the pad.
 */

let fx: ReturnType<typeof serviceFixture>;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const ctx = { origin: 'window_api' as const, staff: STAFF };
const DAY = 86_400_000;

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
}

/** A 即办件 rated 5 stars; its record stays undelivered (the platform never acknowledged it). */
function rateOnce(projectNo: string): void {
  const { evaluationId } = fx.svc.start({ cases: [oneCase(projectNo, 1)] }, ctx);
  fx.clock.advance(3000);
  fx.svc.press({ source: 'touch', key: 5, evaluationId });
  fx.clock.advance(60_000);
  fx.svc.expireDue();
}

describe('the case memory goes no sooner than the case rows went', () => {
  it('unfolded (the rule before decision 220): a 即办件 whose record is kept stays refused after retention', () => {
    rateOnce('RV-CM-1');
    fx.clock.advance(400 * DAY);
    pruneWorkingRows(fx.db, { keepDays: 365, nowMs: fx.clock.now() });
    expect(records(fx.db)).toHaveLength(1);
    expect(code(() => fx.svc.start({ cases: [oneCase('RV-CM-1', 1)] }, ctx))).toBe('already_rated');
  });

  it('folded: the same 即办件, its record still kept, is refused after retention too', () => {
    rateOnce('RV-CM-2');
    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    fx.clock.advance(400 * DAY);
    pruneWorkingRows(fx.db, { keepDays: 365, nowMs: fx.clock.now() });
    expect(records(fx.db)).toHaveLength(1); // the rating is still on the pad, not yet delivered
    expect(code(() => fx.svc.start({ cases: [oneCase('RV-CM-2', 1)] }, ctx))).toBe('already_rated');
  });
});
