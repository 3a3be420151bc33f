import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { loadFoldedEvaluation } from '../../../src/service/evaluation/history.js';
import type { CaseRow, EvaluationRow, Origin } from '../../../src/service/evaluations.js';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { packBody } from '../../../src/store/record-codec.js';
import { recordTextSql } from '../../../src/store/records.js';
import { NORMS, STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

type Fx = ReturnType<typeof serviceFixture>;
type Loaded = { evaluation: EvaluationRow; cases: CaseRow[] };

let fx: Fx;
let counter = 0;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const OTHER = { staffId: 'T0200', name: '王芳' };

function start(
  cases: Array<ReturnType<typeof oneCase>>,
  opts: { groupType?: 'batch' | 'chain'; origin?: Origin; staff?: typeof STAFF } = {},
): string {
  return fx.svc.start(
    { cases, ...(opts.groupType ? { groupType: opts.groupType } : {}) },
    { origin: opts.origin ?? 'window_api', staff: opts.staff ?? STAFF },
  ).evaluationId;
}
const key = (k: number) =>
  fx.svc.press({ source: 'key', key: k, board: { serial: 'H', bootId: 1, counter: ++counter } });
const touch = (id: string, k: number) => fx.svc.press({ source: 'touch', key: k, evaluationId: id });
const timeOut = () => {
  fx.clock.advance(61_000);
  fx.svc.expireDue();
};
const chainCases = (prefix = 'CH') => [
  oneCase(`${prefix}-1`),
  {
    projectNo: `${prefix}-2`,
    taskCode: '370900-XK-0107',
    taskName: '食品经营许可（新办）',
    promiseType: 2 as const,
  },
];

/** Folds every evaluation closed so far (decision 220) the way upkeep does, hours later. */
function foldAll(): void {
  fx.clock.advance(FOLD_AFTER_MS + 60_000);
  foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });
  const left = fx.db.prepare(`SELECT COUNT(*) AS n FROM evaluations WHERE state <> 'waiting'`).get() as {
    n: number;
  };
  expect(left.n).toBe(0);
}

/** What the records keep of an evaluation's rows: the rows with the fields they cannot give back set as history.ts says. */
function kept(
  before: Loaded,
  evaluation: Partial<EvaluationRow> = {},
  cases: Array<Partial<CaseRow>> = [],
): Loaded {
  return {
    evaluation: {
      ...before.evaluation,
      origin: 'window_api',
      inputs_after: 0,
      norm_version: '',
      ...evaluation,
    },
    cases: before.cases.map((c, i) => ({ ...c, ...cases[i] })),
  };
}

/** get(id) before and after the fold, the evaluation's working rows gone in between. */
function foldedAfter(id: string): { before: Loaded; after: Loaded | null } {
  const before = fx.svc.get(id);
  if (!before) throw new Error(`no evaluation ${id}`);
  foldAll();
  expect(fx.db.prepare('SELECT 1 FROM evaluations WHERE id = ?').get(id)).toBeUndefined();
  return { before, after: fx.svc.get(id) };
}

function expectDomainError(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).code).toBe(code);
}

describe('get(id) of a folded evaluation answers from its records as it did from its rows', () => {
  it('single, rated with a key', () => {
    const id = start([oneCase('S-1')]);
    fx.clock.advance(4_000);
    key(5);
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.norm_version).toBe(NORMS.version);
    expect(after).toEqual(kept(before));
  });

  it('single, rated on the screen with reasons: the norm version is kept beside the codes', () => {
    const id = start([oneCase('S-2')], { origin: 'staff_panel' });
    fx.clock.advance(3_000);
    touch(id, 5);
    fx.clock.advance(2_000);
    fx.svc.submitReasons(id, [badCode(5)], '很好');
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.origin).toBe('staff_panel');
    expect(after).toEqual(kept(before, { norm_version: NORMS.version }));
  });

  it('a 差评 with reasons', () => {
    const id = start([oneCase('S-3')]);
    fx.clock.advance(3_000);
    key(1);
    fx.clock.advance(9_000);
    fx.svc.submitReasons(id, [badCode(1)], '态度差');
    const { before, after } = foldedAfter(id);
    expect(before.cases[0]?.chosen_satisfaction).toBe(1);
    expect(after).toEqual(kept(before, { norm_version: NORMS.version }));
  });

  it('batch', () => {
    const id = start([oneCase('B-1'), oneCase('B-2'), oneCase('B-3')], { groupType: 'batch' });
    fx.clock.advance(2_000);
    key(4);
    const { before, after } = foldedAfter(id);
    expect(before.cases).toHaveLength(3);
    expect(after).toEqual(kept(before));
  });

  it('chain overall, chosen by a press', () => {
    const id = start(chainCases(), { groupType: 'chain' });
    fx.clock.advance(2_000);
    key(5);
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.chain_mode).toBe('overall');
    expect(after).toEqual(kept(before));
  });

  it('chain each: the item it closed at and that item’s prompt come back', () => {
    const id = start(chainCases(), { groupType: 'chain' });
    fx.svc.chooseChainMode(id, 'each');
    fx.clock.advance(2_000);
    key(4);
    fx.clock.advance(5_000);
    key(3);
    const { before, after } = foldedAfter(id);
    expect(before.evaluation).toMatchObject({ chain_mode: 'each', current_idx: 1 });
    expect(before.evaluation.prompt_ms).toBeGreaterThan(before.evaluation.started_ms);
    expect(after).toEqual(kept(before));
  });

  it('chain each, the second item timed out', () => {
    const id = start([...chainCases(), oneCase('CH-3')], { groupType: 'chain' });
    fx.svc.chooseChainMode(id, 'each');
    fx.clock.advance(2_000);
    key(5);
    timeOut();
    const { before, after } = foldedAfter(id);
    expect(before.evaluation).toMatchObject({ state: 'rated', close_reason: 'timeout', current_idx: 1 });
    expect(before.cases.map((c) => c.outcome)).toEqual(['rated', 'unrated', 'unrated']);
    expect(after).toEqual(kept(before));
  });

  it('chain whose mode was chosen on the screen: that prompt is not kept', () => {
    const id = start(chainCases(), { groupType: 'chain' });
    fx.clock.advance(3_000);
    fx.svc.chooseChainMode(id, 'overall');
    fx.clock.advance(2_000);
    key(5);
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.prompt_ms).toBe(before.evaluation.started_ms + 3_000);
    expect(after).toEqual(kept(before, { prompt_ms: before.evaluation.started_ms }));
  });

  it('unrated', () => {
    const id = start([oneCase('U-1')]);
    timeOut();
    const { before, after } = foldedAfter(id);
    expect(before.evaluation).toMatchObject({ state: 'unrated', close_reason: 'timeout' });
    expect(after).toEqual(kept(before));
  });

  it('a chain timed out before its mode was chosen reads as offered: overall', () => {
    const id = start(chainCases(), { groupType: 'chain' });
    timeOut();
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.chain_mode).toBeNull();
    expect(after).toEqual(kept(before, { chain_mode: 'overall' }));
  });

  it('an abandoned 差评 keeps its star, not its time or source', () => {
    const id = start([oneCase('A-1')]);
    fx.clock.advance(3_000);
    key(2);
    timeOut();
    const { before, after } = foldedAfter(id);
    expect(before.cases[0]).toMatchObject({
      chosen_satisfaction: 2,
      chosen_source: 'key',
      outcome: 'unrated',
    });
    expect(after).toEqual(kept(before, {}, [{ chosen_source: null, chosen_ms: null }]));
  });

  it('cancelled: the record names the staff member answerable, not the channel', () => {
    const id = start([oneCase('X-1'), oneCase('X-2')], { groupType: 'batch' });
    fx.clock.advance(2_000);
    fx.svc.cancel(id, {
      reason: 'citizen_left',
      staffId: STAFF.staffId,
      channel: `staff_panel:${STAFF.staffId}`,
    });
    const { before, after } = foldedAfter(id);
    expect(before.evaluation).toMatchObject({
      state: 'cancelled',
      cancelled_by: `staff_panel:${STAFF.staffId}`,
    });
    expect(after).toEqual(kept(before, { cancelled_by: STAFF.staffId }));
  });

  it('with receipt prints: the count of those on paper', () => {
    const id = start([oneCase('R-1')]);
    key(5);
    for (const result of ['printed', 'failed', 'partial'] as const)
      fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(id).printId, result);
    fx.svc.beginReceiptPrint(id); // still queued: not on paper (yet)
    const { before, after } = foldedAfter(id);
    expect(before.evaluation.receipt_prints).toBe(2);
    expect(after).toEqual(kept(before));
  });

  it('times come back to the second: a start within a second keeps its second', () => {
    fx.clock.advance(700);
    const id = start([oneCase('T-1')]);
    fx.clock.advance(2_300);
    key(5);
    const { before, after } = foldedAfter(id);
    expect(after?.evaluation.started_ms).toBe(before.evaluation.started_ms - 700);
    expect(after).toEqual(
      kept(before, {
        started_ms: before.evaluation.started_ms - 700,
        prompt_ms: before.evaluation.prompt_ms - 700,
      }),
    );
  });

  it('an unknown id is still unknown; a record that cannot be read is left out', () => {
    expect(fx.svc.get('Enosuchevaluation')).toBeNull();
    const id = start([oneCase('K-1'), oneCase('K-2')], { groupType: 'batch' });
    key(5);
    const { before } = foldedAfter(id);
    fx.db
      .prepare('UPDATE records SET body = ? WHERE record_id = ?')
      .run(Buffer.from([0x02, 0xff]), `${id}-1`);
    expect(fx.svc.get(id)?.cases).toEqual([kept(before).cases[1]]);
    fx.db
      .prepare('UPDATE records SET body = ? WHERE record_id = ?')
      .run(Buffer.from([0x02, 0xff]), `${id}-2`);
    expect(fx.svc.get(id)).toBeNull();
  });

  it('an evaluation still open, or closed and not yet folded, is read from its rows', () => {
    const id = start(chainCases(), { groupType: 'chain' });
    fx.svc.chooseChainMode(id, 'each');
    key(4);
    // Its first item is sealed: the records of an open evaluation are not its history.
    expect(loadFoldedEvaluation(fx.db, id)?.cases).toHaveLength(1);
    expect(fx.svc.get(id)?.evaluation).toMatchObject({
      state: 'waiting',
      current_idx: 1,
      origin: 'window_api',
    });
    expect(fx.svc.get(id)?.cases).toHaveLength(2);
  });
});

describe('a record id asked as an evaluation id is unknown, not a case as an evaluation', () => {
  // The window API accepts `[A-Za-z0-9-]{1,64}` as an evaluation id, and a staff member sees
  // record ids in the bad-review list; `E…-2` must answer as any unknown id (404 not_found), not as
  // an evaluation made of case 2 alone — whose receipt would carry a second rating QR code for a
  // batch (receipts.ts prints one per batch on purpose) and would not be marked 补打.
  function ratedBatch(): string {
    const id = start([oneCase('B-1'), oneCase('B-2')], { groupType: 'batch' });
    key(5);
    // its receipt went out once, with the batch's one QR code
    fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(id).printId, 'printed');
    return id;
  }

  it('get(<id>-2) of a closed batch is unknown, before and after the fold', () => {
    const id = ratedBatch();
    expect(fx.svc.get(`${id}-2`)).toBeNull();
    foldAll();
    expect(fx.svc.get(id)?.cases).toHaveLength(2);
    expect(fx.svc.get(`${id}-2`)).toBeNull();
    expect(loadFoldedEvaluation(fx.db, `${id}-2`)).toBeNull();
  });

  it('a receipt for <id>-2 is refused (not an original receipt with a second QR code of the batch)', () => {
    const id = ratedBatch();
    foldAll();
    expectDomainError(() => fx.svc.beginReceiptPrint(`${id}-2`), 'not_found');
  });

  it('cancelling <id>-1 is not_found (404), not not_cancellable (409), before and after the fold', () => {
    const id = ratedBatch();
    const cancel = () =>
      fx.svc.cancel(`${id}-1`, { reason: 'other', staffId: STAFF.staffId, channel: 'test' });
    expectDomainError(cancel, 'not_found');
    foldAll();
    expectDomainError(cancel, 'not_found');
  });

  it('a chain still open: its first item’s record id is not a closed evaluation', () => {
    const id = start(chainCases('C'), { groupType: 'chain' });
    fx.svc.chooseChainMode(id, 'each');
    key(4);
    expect(fx.svc.get(id)?.evaluation.state).toBe('waiting');
    // the window API would answer {state: 'done', closedTime} for E…-1 while E… is still open
    expect(fx.svc.get(`${id}-1`)).toBeNull();
  });

  it('a record whose groupId names another evaluation is not this one’s', () => {
    const id = start([oneCase('G-1'), oneCase('G-2')], { groupType: 'batch' });
    key(5);
    const { before } = foldedAfter(id);
    const { text } = fx.db
      .prepare(`SELECT ${recordTextSql('')} AS text FROM records WHERE record_id = ?`)
      .get(`${id}-2`) as { text: string };
    expect(text).toContain(`"groupId":"${id}"`);
    fx.db
      .prepare('UPDATE records SET body = ? WHERE record_id = ?')
      .run(packBody(text.replace(`"groupId":"${id}"`, '"groupId":"EOTHER"')), `${id}-2`);
    expect(fx.svc.get(id)?.cases).toEqual([kept(before).cases[0]]);
  });
});

describe('commands on a folded evaluation', () => {
  it('cancel: not_cancellable, as for any closed evaluation; an unknown id is not_found', () => {
    const id = start([oneCase('C-1')]);
    timeOut();
    expectDomainError(
      () => fx.svc.cancel(id, { reason: 'other', staffId: STAFF.staffId, channel: 'test' }),
      'not_cancellable',
    );
    foldAll();
    expectDomainError(
      () => fx.svc.cancel(id, { reason: 'other', staffId: STAFF.staffId, channel: 'test' }),
      'not_cancellable',
    );
    expectDomainError(
      () => fx.svc.cancel('Enosuchevaluation', { reason: 'other', staffId: STAFF.staffId, channel: 'test' }),
      'not_found',
    );
  });

  it('receipt: printed again from the records, a 补打 copy after one on paper before the fold', () => {
    const printedBefore = start([oneCase('P-1')]);
    key(5);
    fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(printedBefore).printId, 'printed');
    const neverPrinted = start([oneCase('P-2')]);
    key(4);
    foldAll();

    const again = fx.svc.beginReceiptPrint(printedBefore);
    expect(again.copy).toBe(true);
    fx.svc.finishReceiptPrint(again.printId, 'printed');
    expect(fx.svc.get(printedBefore)?.evaluation.receipt_prints).toBe(2);

    const first = fx.svc.beginReceiptPrint(neverPrinted);
    expect(first.copy).toBe(false);
    fx.svc.finishReceiptPrint(first.printId, 'failed');
    expect(fx.svc.beginReceiptPrint(neverPrinted).copy).toBe(false);
    expect(fx.svc.get(neverPrinted)?.evaluation.receipt_prints).toBe(0);

    expectDomainError(() => fx.svc.beginReceiptPrint('Enosuchevaluation'), 'not_found');
  });
});

describe('recent(): folded evaluations keep their places', () => {
  const queries = () => new StaffQueries(fx.db, fx.clock, () => 3);

  /** A day at the window: two staff members, every way an evaluation ends. */
  function aDay(): string[] {
    const ids: string[] = [];
    const next = () => fx.clock.advance(90_000);
    ids.push(start([oneCase('D-1')]));
    key(5);
    next();
    ids.push(start([oneCase('D-2')], { staff: OTHER }));
    key(3);
    next();
    ids.push(start([oneCase('D-3'), oneCase('D-4')], { groupType: 'batch' }));
    fx.svc.cancel(ids[2] as string, { reason: 'wrong_case', staffId: STAFF.staffId, channel: 'test' });
    next();
    const chain = start(chainCases(), { groupType: 'chain' });
    ids.push(chain);
    fx.svc.chooseChainMode(chain, 'each');
    key(4);
    key(2);
    fx.svc.submitReasons(chain, [badCode(2)], undefined);
    fx.svc.finishReceiptPrint(fx.svc.beginReceiptPrint(chain).printId, 'printed');
    next();
    ids.push(start([oneCase('D-5')]));
    timeOut();
    next();
    return ids;
  }

  it('the same list before and after the fold, the other staff member’s left out', () => {
    aDay();
    const before = queries().recent(STAFF.staffId);
    expect(before.map((r) => r.projectNos)).toEqual([['D-5'], ['CH-1', 'CH-2'], ['D-3', 'D-4'], ['D-1']]);
    expect(before.map((r) => r.state)).toEqual(['done', 'done', 'cancelled', 'done']);
    expect(before[1]?.receiptPrints).toBe(1);
    foldAll();
    expect(queries().recent(STAFF.staffId)).toEqual(before);
    expect(
      queries()
        .recent(OTHER.staffId)
        .map((r) => r.projectNos),
    ).toEqual([['D-2']]);
  });

  it('folded and live merged by start time, an open chain listed once, the limit kept', () => {
    aDay();
    foldAll();
    // Live again: one closed since the fold, and a chain still open with its first item sealed.
    start([oneCase('L-1')]);
    key(5);
    fx.clock.advance(60_000);
    const open = start(chainCases('OPEN'), { groupType: 'chain' });
    fx.svc.chooseChainMode(open, 'each');
    key(5);
    const list = queries().recent(STAFF.staffId);
    expect(list.map((r) => [r.projectNos[0], r.state])).toEqual([
      ['OPEN-1', 'waiting'],
      ['L-1', 'done'],
      ['D-5', 'done'],
      ['CH-1', 'done'],
      ['D-3', 'cancelled'],
      ['D-1', 'done'],
    ]);
    expect(queries().recent(STAFF.staffId, 3)).toEqual(list.slice(0, 3));
    expect(queries().recent(STAFF.staffId, 4)).toEqual(list.slice(0, 4));
  });

  it('this month and last only, folded or not', () => {
    fx.clock.t = Date.UTC(2026, 6, 20, 2, 0, 0); // July: before last month in September
    start([oneCase('OLD-1')]);
    key(5);
    fx.clock.t = Date.UTC(2026, 7, 31, 15, 30, 0); // 2026-08-31 23:30 CST: last month
    start([oneCase('AUG-1')]);
    key(5);
    fx.clock.t = Date.UTC(2026, 8, 30, 2, 0, 0);
    start([oneCase('SEP-1')]);
    key(4);
    const before = queries().recent(STAFF.staffId);
    expect(before.map((r) => r.projectNos[0])).toEqual(['SEP-1', 'AUG-1']);
    foldAll();
    expect(queries().recent(STAFF.staffId)).toEqual(before);
  });

  it('across a run whose clock was years behind: this month’s folded evaluations sealed before it stay', () => {
    // The pad clock is not monotonic across runs (decision 195: an RTC that booted in 2000 for a
    // run): a record sealed then must not end the walk back over the records.
    const today = fx.clock.now(); // 2026-09-30 10:00 CST
    start([oneCase('SEP-1')]);
    key(5);

    // The pad restarts with a dead RTC: its clock says 2000 for a run. One evaluation then.
    fx.clock.t = Date.UTC(2000, 0, 1, 1, 0, 0);
    start([oneCase('Y2K-1')]);
    key(4);

    // The next run has the right time again.
    fx.clock.t = today + 6 * 3600_000;
    const before = queries().recent(STAFF.staffId);
    expect(before.map((r) => r.projectNos[0])).toEqual(['SEP-1']);

    foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });
    expect((fx.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get() as { n: number }).n).toBe(0);
    expect(queries().recent(STAFF.staffId)).toEqual(before);
  });

  it('a staff member with nothing folded in the two months: no walk over the records', () => {
    aDay();
    foldAll();
    start([oneCase('NEW-1')], { staff: { staffId: 'T0300', name: '赵强' } });
    key(5);
    const walks: string[] = [];
    const prepare = fx.db.prepare.bind(fx.db);
    fx.db.prepare = ((sql: string) => {
      if (/\bFROM records\b/.test(sql)) walks.push(sql);
      return prepare(sql);
    }) as typeof fx.db.prepare;
    expect(
      queries()
        .recent('T0300')
        .map((r) => r.projectNos),
    ).toEqual([['NEW-1']]);
    expect(walks).toEqual([]);
    expect(queries().recent(STAFF.staffId)).toHaveLength(4);
    expect(walks).toHaveLength(1);
    fx.db.prepare = prepare;
  });
});

describe('a folded evaluation is found through the record id index', () => {
  it('get, cancel and a reprint plan no scan of records or receipt prints', () => {
    const id = start([oneCase('Q-1'), oneCase('Q-2')], { groupType: 'batch' });
    key(5);
    foldAll();
    const seen = new Set<string>();
    const prepare = fx.db.prepare.bind(fx.db);
    fx.db.prepare = ((sql: string) => {
      seen.add(sql);
      return prepare(sql);
    }) as typeof fx.db.prepare;
    fx.svc.get(id);
    fx.svc.beginReceiptPrint(id);
    expectDomainError(
      () => fx.svc.cancel(id, { reason: 'other', staffId: STAFF.staffId, channel: 'test' }),
      'not_cancellable',
    );
    fx.db.prepare = prepare;
    const reading = [...seen].filter((sql) => /\bFROM (records|receipt_prints)\b/.test(sql));
    expect(reading.length).toBeGreaterThanOrEqual(3);
    for (const sql of reading) {
      const args = /@id/.test(sql) ? [{ id }] : [...sql.matchAll(/\?/g)].map(() => id);
      const plan = (fx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map(
        (r) => r.detail,
      );
      expect(
        plan.filter((d) => /^SCAN (records|receipt_prints|r)\b/.test(d)),
        sql,
      ).toEqual([]);
    }
  });
});
