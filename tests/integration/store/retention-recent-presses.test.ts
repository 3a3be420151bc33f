import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCst } from '../../../src/domain/time.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { pruneWorkingRows } from '../../../src/store/retention.js';
import { STAFF, TIMING, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * Retention's press sweep keeps the last 64 presses as the fold's does, whatever the clocks say
 * (the board resends a KEY until acknowledged; its identity must stay in raw_inputs_board_key). On
 * a pad whose clock is behind (decision 195: an RTC that booted in 2000, platform reachable), every
 * press is "older than a year" for retention's true-time bound.
 */
let fx: ReturnType<typeof serviceFixture>;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

describe('retention and the last presses, pad clock years behind', () => {
  it('keeps the identity of the last presses, as the fold does', () => {
    fx.clock.t = Date.UTC(2000, 0, 1, 1, 0, 0); // the RTC booted in 2000
    const offset = parseCst('2026-10-12 09:00:00') - fx.clock.t; // the platform confirmed the time
    const a = fx.svc.start(
      { cases: [oneCase('RV2-P-1')] },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    const board = { serial: 'B', bootId: 7, counter: 1 };
    expect(fx.svc.press({ source: 'key', key: 5, board }).disposition).not.toBe('duplicate');
    fx.clock.advance(TIMING.optionalExtrasTimeoutS * 1000 + 1);
    fx.svc.expireDue();
    expect(fx.svc.get(a)?.evaluation.state).toBe('rated');

    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now(), clockOffsetMs: offset }).evaluations).toBe(
      1,
    );
    const pressCount = () => (fx.db.prepare('SELECT COUNT(*) AS n FROM raw_inputs').get() as { n: number }).n;
    expect(pressCount()).toBe(1); // the fold keeps it: one of the last 64

    // The 6-hourly retention run, on true time (host/upkeep.ts pruneOldRecords).
    pruneWorkingRows(fx.db, { keepDays: 365, nowMs: fx.clock.now() + offset });
    expect(pressCount()).toBe(1); // today: 0

    // The board resends that KEY (its acknowledgement was lost) while the next evaluation waits.
    const b = fx.svc.start(
      { cases: [oneCase('RV2-P-2')] },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    expect(fx.svc.press({ source: 'key', key: 5, board }).disposition).toBe('duplicate');
    expect(fx.svc.get(b)?.cases[0]?.chosen_satisfaction).toBeNull();
  });
});
