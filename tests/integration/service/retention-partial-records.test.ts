import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { pruneDelivered, pruneWorkingRows } from '../../../src/store/retention.js';
import { STAFF, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * Retention takes a folded evaluation's receipt prints only once none of its records is left:
 * records go as a prefix of the chain, which can end inside one evaluation (a chain rated item by
 * item seals its items one by one; a record the platform rejected keeps itself and all after it).
 * The evaluation is still answered for from its later records, and its receipt was on paper — a
 * reprint must still be 补打.
 */
type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

let counter = 0;
const key = (k: number) =>
  fx.svc.press({ source: 'key', key: k, board: { serial: 'H', bootId: 1, counter: ++counter } });

describe('an evaluation whose first record retention took and whose second it kept', () => {
  it('keeps its receipt prints: a reprint is still 补打', () => {
    const id = fx.svc.start(
      {
        cases: [oneCase('PR-1'), { ...oneCase('PR-2'), taskCode: '370900-XK-0107' }],
        groupType: 'chain',
      },
      { origin: 'window_api', staff: STAFF },
    ).evaluationId;
    fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(id).printId, 'printed');
    fx.svc.chooseChainMode(id, 'each');
    key(5);
    fx.clock.advance(20_000);
    key(4);
    expect(fx.svc.get(id)?.evaluation.state).toBe('rated');

    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });

    // The platform took item 1 and rejected item 2 (kept for the technician); months later.
    fx.db.prepare(`DELETE FROM outbox WHERE kind = 'record' AND ref = ?`).run(`${id}-1`);
    fx.db.prepare(`UPDATE outbox SET state = 'rejected' WHERE kind = 'record' AND ref = ?`).run(`${id}-2`);
    fx.clock.advance(120 * 86_400_000);
    expect(pruneDelivered(fx.db, { keepDays: 30, nowMs: fx.clock.now() }).deleted).toBe(1);
    pruneWorkingRows(fx.db, { keepDays: 30, nowMs: fx.clock.now() });

    // Still answered for from the record kept...
    expect(fx.svc.get(id)?.evaluation.state).toBe('rated');
    // ...and its receipt was on paper.
    expect(fx.svc.get(id)?.evaluation.receipt_prints).toBe(1);
    expect(fx.svc.beginReceiptPrint(id).copy).toBe(true);
  });
});
