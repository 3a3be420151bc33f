import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneOldRecords } from '../../../src/host/upkeep.js';
import { staffFigures } from '../../../src/store/figures.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { markDelivered, pendingRecords } from '../../../src/store/outbox.js';
import { pruneDelivered, pruneWorkingRows } from '../../../src/store/retention.js';
import { verifyChain } from '../../../src/store/verify.js';
import { STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

const DAY = 86_400_000;

describe('pruneWorkingRows: the rows and presses of evaluations whose records retention deleted', () => {
  let fx: ReturnType<typeof serviceFixture>;
  let counter = 0;
  beforeEach(() => {
    fx = serviceFixture();
    // 2026-01-10 10:00 CST
    fx.clock.t = Date.UTC(2026, 0, 10, 2, 0, 0);
  });
  afterEach(() => fx.cleanup());

  /** One evaluation rated with a board key (a 差评 with a comment for star 1), at the clock's time. */
  function rate(projectNo: string, key: number): string {
    const { evaluationId } = fx.svc.start(
      { cases: [oneCase(projectNo)] },
      { origin: 'window_api', staff: STAFF },
    );
    fx.clock.advance(5_000);
    fx.svc.press({ source: 'key', key, board: { serial: 'W', bootId: 1, counter: ++counter } });
    if (key <= 2) fx.svc.submitReasons(evaluationId, [badCode(key)], '窗口人员态度差');
    fx.clock.advance(60_000);
    return evaluationId;
  }
  /** The board's last 64 presses (none open an evaluation): what retention never deletes. */
  const laterPresses = () => {
    for (let i = 0; i < 64; i++)
      fx.svc.press({ source: 'key', key: 3, board: { serial: 'W', bootId: 1, counter: ++counter } });
  };
  const count = (sql: string, ...args: unknown[]) => (fx.db.prepare(sql).get(...args) as { n: number }).n;
  const rowsOf = (id: string) => ({
    evaluations: count('SELECT COUNT(*) AS n FROM evaluations WHERE id = ?', id),
    cases: count('SELECT COUNT(*) AS n FROM evaluation_cases WHERE evaluation_id = ?', id),
    presses: count('SELECT COUNT(*) AS n FROM raw_inputs WHERE evaluation_id = ?', id),
    prints: count('SELECT COUNT(*) AS n FROM receipt_prints WHERE evaluation_id = ?', id),
  });
  /** A receipt printed for every evaluation so far (the rows the printer service writes). */
  const printAll = () =>
    fx.db
      .prepare(
        `INSERT INTO receipt_prints (evaluation_id, copy, requested_ms, result) SELECT id, 1, started_ms, 'printed' FROM evaluations`,
      )
      .run();
  const deliverAll = () =>
    markDelivered(
      fx.db,
      pendingRecords(fx.db, 1000).map((r) => r.recordId),
      fx.clock.now(),
    );

  it('go with the records; a record still pending keeps its evaluation; this month is kept for the figures', () => {
    const january = [rate('OLD-1', 1), rate('OLD-2', 5), rate('OLD-3', 4)];
    const cancelled = fx.svc.start({ cases: [oneCase('OLD-4')] }, { origin: 'window_api', staff: STAFF });
    fx.svc.cancel(cancelled.evaluationId, { reason: 'wrong_case', staffId: STAFF.staffId, channel: 'test' });
    january.push(cancelled.evaluationId);
    deliverAll();
    fx.clock.advance(DAY);
    const pending = rate('OLD-5', 3); // never acknowledged
    // 2026-03-05 and 2026-03-19
    fx.clock.t = Date.UTC(2026, 2, 5, 2, 0, 0);
    const march = rate('MAR-1', 2);
    fx.clock.t = Date.UTC(2026, 2, 19, 2, 0, 0);
    const yesterday = rate('MAR-2', 5);
    markDelivered(
      fx.db,
      pendingRecords(fx.db, 1000)
        .map((r) => r.recordId)
        .filter((id) => id !== pending),
      fx.clock.now(),
    );
    printAll();
    fx.clock.t = Date.UTC(2026, 2, 20, 2, 0, 0);
    const now = fx.clock.now();
    laterPresses();
    const monthBefore = staffFigures(fx.db, STAFF.staffId, now).month;

    // Retention as upkeep runs it: records first, then the rows of what went.
    expect(pruneDelivered(fx.db, { keepDays: 30, nowMs: now }).deleted).toBe(4);
    const first = pruneWorkingRows(fx.db, { keepDays: 30, nowMs: now });
    expect(first.evaluations).toBe(4);
    for (const id of january) expect(rowsOf(id)).toEqual({ evaluations: 0, cases: 0, presses: 0, prints: 0 });
    // The pending record keeps its evaluation, its case row and its press.
    expect(rowsOf(pending)).toEqual({ evaluations: 1, cases: 1, presses: 1, prints: 1 });
    expect(first.presses).toBe(3);

    // Acknowledged at last; and a technician keeps records one day only.
    markDelivered(fx.db, [pending], now);
    expect(pruneDelivered(fx.db, { keepDays: 1, nowMs: now }).deleted).toBe(2);
    expect(pruneWorkingRows(fx.db, { keepDays: 1, nowMs: now })).toEqual({
      evaluations: 1,
      presses: 1,
      history: 0,
    });
    expect(rowsOf(pending)).toEqual({ evaluations: 0, cases: 0, presses: 0, prints: 0 });
    // The 5th of March's record is gone, its rows are not: this month's figures still count them.
    expect(count('SELECT COUNT(*) AS n FROM records')).toBe(1);
    expect(rowsOf(march)).toEqual({ evaluations: 1, cases: 1, presses: 1, prints: 1 });
    expect(rowsOf(yesterday)).toEqual({ evaluations: 1, cases: 1, presses: 1, prints: 1 });
    expect(staffFigures(fx.db, STAFF.staffId, now).month).toEqual(monthBefore);
    expect(monthBefore).toMatchObject({ rated: 2, badCount: 1 });
    // The chain still verifies from retention's anchor, and new ratings go on from it.
    rate('MAR-3', 5);
    expect(verifyChain(fx.db)).toMatchObject({ ok: true, count: 2 });
    // Nothing more to do: a second run deletes nothing.
    expect(pruneWorkingRows(fx.db, { keepDays: 1, nowMs: now })).toEqual({
      evaluations: 0,
      presses: 0,
      history: 0,
    });
  });

  it('what the fold kept of an evaluation goes past the same bound: day figures, case memory, receipt prints', () => {
    const january = rate('FOLD-OLD', 1);
    deliverAll();
    printAll();
    fx.clock.advance(FOLD_AFTER_MS + 1);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    fx.clock.t = Date.UTC(2026, 2, 19, 2, 0, 0);
    const march = rate('FOLD-MAR', 2);
    deliverAll();
    printAll();
    fx.clock.advance(FOLD_AFTER_MS + 1);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(1);
    const history = () => ({
      days: fx.db.prepare('SELECT day FROM day_figures ORDER BY day').all(),
      cases: fx.db.prepare('SELECT project_no AS p FROM case_memory ORDER BY p').all(),
      prints: fx.db.prepare('SELECT evaluation_id AS e FROM receipt_prints ORDER BY id').all(),
    });
    expect(history()).toEqual({
      days: [{ day: '2026-01-10' }, { day: '2026-03-19' }],
      cases: [{ p: 'FOLD-MAR' }, { p: 'FOLD-OLD' }],
      prints: [{ e: january }, { e: march }],
    });
    const now = fx.clock.now();
    laterPresses();
    const monthBefore = staffFigures(fx.db, STAFF.staffId, now).month;
    expect(pruneDelivered(fx.db, { keepDays: 30, nowMs: now }).deleted).toBe(1);
    expect(pruneWorkingRows(fx.db, { keepDays: 30, nowMs: now })).toEqual({
      evaluations: 0,
      presses: 1, // the January press: the fold kept it then, as one of the last 64
      history: 3,
    });
    expect(history()).toEqual({
      days: [{ day: '2026-03-19' }],
      cases: [{ p: 'FOLD-MAR' }],
      prints: [{ e: march }],
    });
    expect(staffFigures(fx.db, STAFF.staffId, now).month).toEqual(monthBefore);
    expect(fx.svc.get(march)?.evaluation.receipt_prints).toBe(1);
  });

  it('upkeep takes records and working rows only on time the platform confirmed', () => {
    const id = rate('CLOCK-1', 5);
    deliverAll();
    fx.clock.t = Date.UTC(2026, 5, 1, 2, 0, 0);
    laterPresses();
    const logged: string[] = [];
    const log = (_level: string, message: string) => void logged.push(message);
    // Not confirmed since this start (the pad clock says June; it may be wrong): nothing goes.
    pruneOldRecords(fx.db, 30, log, () => null);
    expect(count('SELECT COUNT(*) AS n FROM records')).toBe(1);
    expect(rowsOf(id)).toMatchObject({ evaluations: 1, cases: 1, presses: 1 });
    // Confirmed, and the true time is the pad clock's less four months: still young, nothing goes.
    pruneOldRecords(fx.db, 30, log, () => Date.UTC(2026, 0, 20, 2, 0, 0));
    expect(count('SELECT COUNT(*) AS n FROM records')).toBe(1);
    // Confirmed June: the records go, then their rows.
    pruneOldRecords(fx.db, 30, log, () => fx.clock.now());
    expect(count('SELECT COUNT(*) AS n FROM records')).toBe(0);
    expect(rowsOf(id)).toMatchObject({ evaluations: 0, cases: 0, presses: 0 });
    expect(logged).toEqual(['pruned delivered records', 'pruned working rows past retention']);
  });

  it('refuses a keepDays that is not a number of days, and changes nothing', () => {
    rate('X-1', 5);
    expect(() => pruneWorkingRows(fx.db, { keepDays: Number.NaN, nowMs: fx.clock.now() })).toThrow(
      RangeError,
    );
    expect(count('SELECT COUNT(*) AS n FROM evaluations')).toBe(1);
  });
});
