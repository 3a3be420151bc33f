import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { recordHash } from '../../../src/domain/canonical.js';
import { platformRecordSchema } from '../../../src/domain/record.js';
import { NORMS, STAFF, badCode, oneCase, records, serviceFixture } from '../../helpers/service.js';

type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const start = (input: Parameters<Fx['svc']['start']>[0]) =>
  fx.svc.start(input, { origin: 'window_api', staff: STAFF });

function expectApiError(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ApiError ${code}`);
}

describe('rating: five levels, 3+ is good, 2- needs reasons', () => {
  it('a 5-star key press rates at once and seals a valid record', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(4000);
    const out = fx.svc.press({ source: 'key', key: 5 });
    expect(out).toMatchObject({ disposition: 'rating', next: 'rated' });
    const [rec] = records(fx.db);
    expect(platformRecordSchema.parse(rec)).toMatchObject({
      evaluationId,
      status: 'rated',
      satisfaction: 5,
      inputSource: 'key',
      pf: '4',
      deviceSeq: 1,
    });
    expect(rec?.hash).toBe(recordHash(rec as Record<string, unknown>));
    expect(fx.svc.get(evaluationId)?.evaluation.state).toBe('rated');
  });

  it('reasons required: a 2-star review needs an indicator or a comment', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(3000);
    expect(fx.svc.press({ source: 'touch', key: 2, evaluationId })).toMatchObject({ next: 'reasons' });
    expect(records(fx.db)).toHaveLength(0);
    expectApiError(() => fx.svc.submitReasons(evaluationId, [], undefined), 'reasons_required');
    expectApiError(() => fx.svc.submitReasons(evaluationId, [badCode(1)], undefined), 'invalid'); // indicator of another level
    fx.svc.submitReasons(evaluationId, [badCode(2)], undefined);
    const [rec] = records(fx.db);
    expect(rec).toMatchObject({
      status: 'rated',
      satisfaction: 2,
      evalDetail: badCode(2),
      normVersion: NORMS.version,
    });
  });

  it('reasons required: a comment alone is enough', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.press({ source: 'touch', key: 1, evaluationId });
    fx.svc.submitReasons(evaluationId, [], '等待时间太长');
    expect(records(fx.db)[0]).toMatchObject({ satisfaction: 1, writingEvaluation: '等待时间太长' });
  });

  it('optional positive indicators for 3+ stars on touch; the star stands when skipped or timed out', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(2000);
    expect(fx.svc.press({ source: 'touch', key: 4, evaluationId })).toMatchObject({ next: 'reasons' });
    fx.clock.advance(10_001);
    fx.svc.expireDue();
    expect(records(fx.db)[0]).toMatchObject({ status: 'rated', satisfaction: 4 });
    expect(records(fx.db)[0]?.evalDetail).toBeUndefined();
  });
});

describe('one evaluation per service', () => {
  it('即办件 refusal: a second evaluation of a rated 即办件 is refused with already_rated', () => {
    start({ cases: [oneCase('A-1', 1)] });
    fx.svc.press({ source: 'key', key: 5 });
    expectApiError(() => start({ cases: [oneCase('A-1', 1)] }), 'already_rated');
  });

  it('承诺件 second visit: each visit gets the next serviceNumber', () => {
    start({ cases: [oneCase('B-1', 2)] });
    fx.svc.press({ source: 'key', key: 4 });
    fx.clock.advance(60_000);
    start({ cases: [oneCase('B-1', 2)] });
    fx.svc.press({ source: 'key', key: 3 });
    expect(records(fx.db).map((r) => r.serviceNumber)).toEqual([1, 2]);
    expectApiError(() => start({ cases: [{ ...oneCase('B-1', 2), serviceNumber: 2 }] }), 'already_rated');
  });

  it('batch: one rating gives one record per case sharing a groupId', () => {
    const { evaluationId } = start({
      cases: [oneCase('C-1'), oneCase('C-2'), oneCase('C-3')],
      groupType: 'batch',
    });
    fx.svc.press({ source: 'key', key: 5 });
    const recs = records(fx.db);
    expect(recs).toHaveLength(3);
    expect(new Set(recs.map((r) => r.groupId))).toEqual(new Set([evaluationId]));
    expect(recs.every((r) => r.groupType === 'batch' && r.satisfaction === 5)).toBe(true);
    expect(recs.map((r) => r.evaluationId)).toEqual([
      `${evaluationId}-1`,
      `${evaluationId}-2`,
      `${evaluationId}-3`,
    ]);
  });

  const chainCases = () => [
    { projectNo: 'D-1', taskCode: '370900-XK-0001', taskName: '个体工商户设立登记', promiseType: 1 as const },
    {
      projectNo: 'D-2',
      taskCode: '370900-XK-0107',
      taskName: '食品经营许可（新办）',
      promiseType: 2 as const,
    },
  ];

  it('chain overall: one rating applies to every item', () => {
    const { evaluationId } = start({ cases: chainCases(), groupType: 'chain' });
    fx.svc.chooseChainMode(evaluationId, 'overall');
    fx.svc.press({ source: 'touch', key: 5, evaluationId });
    fx.svc.submitReasons(evaluationId, [], undefined);
    const recs = records(fx.db);
    expect(recs.map((r) => [r.projectNo, r.satisfaction, r.groupType])).toEqual([
      ['D-1', 5, 'chain'],
      ['D-2', 5, 'chain'],
    ]);
  });

  it('chain each: the citizen rates item by item', () => {
    const { evaluationId } = start({ cases: chainCases(), groupType: 'chain' });
    fx.svc.chooseChainMode(evaluationId, 'each');
    expect(fx.svc.press({ source: 'key', key: 4 })).toMatchObject({ next: 'next_item' });
    expect(fx.svc.get(evaluationId)?.evaluation.current_idx).toBe(1);
    fx.svc.press({ source: 'touch', key: 2, evaluationId });
    fx.svc.submitReasons(evaluationId, [badCode(2)], undefined);
    expect(records(fx.db).map((r) => [r.projectNo, r.satisfaction])).toEqual([
      ['D-1', 4],
      ['D-2', 2],
    ]);
    expect(fx.svc.get(evaluationId)?.evaluation.state).toBe('rated');
  });

  it('a batch must be one item', () => {
    // validated at the edge by the contract schema
    return import('../../../src/api/contract.js').then(({ startEvaluationSchema }) => {
      const r = startEvaluationSchema.safeParse({
        cases: [oneCase('E-1'), { ...oneCase('E-2'), taskCode: 'X' }],
        groupType: 'batch',
      });
      expect(r.success).toBe(false);
    });
  });
});

describe('first input wins; presses outside an evaluation are logged and ignored', () => {
  it('only the first press counts', () => {
    start({ cases: [oneCase()] });
    fx.clock.advance(2000);
    fx.svc.press({ source: 'key', key: 5 });
    expect(fx.svc.press({ source: 'key', key: 1 })).toEqual({ disposition: 'no_evaluation' });
    expect(records(fx.db)).toHaveLength(1);
  });

  it('a second press during the reasons step is ignored', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.press({ source: 'key', key: 2 });
    expect(fx.svc.press({ source: 'key', key: 5 })).toEqual({ disposition: 'not_first' });
    fx.svc.submitReasons(evaluationId, [badCode(2)], undefined);
    expect(records(fx.db)[0]).toMatchObject({ satisfaction: 2 });
  });

  it('stray presses are logged with disposition no_evaluation', () => {
    fx.svc.press({ source: 'key', key: 3, board: { serial: 'S', bootId: 1, counter: 1 } });
    const row = fx.db.prepare('SELECT disposition FROM raw_inputs').get() as { disposition: string };
    expect(row.disposition).toBe('no_evaluation');
  });

  it('the same board key (serial, boot id, counter) acts once', () => {
    start({ cases: [oneCase()] });
    const key = { serial: 'S', bootId: 7, counter: 3 };
    fx.svc.press({ source: 'key', key: 5, board: key });
    expect(fx.svc.press({ source: 'key', key: 5, board: key })).toEqual({ disposition: 'duplicate' });
    expect(records(fx.db)).toHaveLength(1);
  });
});

describe('time', () => {
  it('timeout → unrated: no press in time closes the evaluation unrated', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(60_001);
    fx.svc.expireDue();
    expect(records(fx.db)[0]).toMatchObject({ evaluationId, status: 'unrated' });
    expect(records(fx.db)[0]?.satisfaction).toBeUndefined();
  });

  it('a star chosen without the required reasons is kept locally but closes unrated', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.press({ source: 'key', key: 1 });
    fx.clock.advance(60_001);
    fx.svc.expireDue();
    expect(records(fx.db)[0]).toMatchObject({ status: 'unrated' });
    const kept = fx.db
      .prepare('SELECT chosen_satisfaction AS s FROM evaluation_cases WHERE evaluation_id = ?')
      .get(evaluationId) as { s: number };
    expect(kept.s).toBe(1);
  });
});

describe('cancel and busy', () => {
  it('staff can cancel only while waiting, with who, when and why recorded', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.cancel(evaluationId, { reason: 'wrong_case', staffId: 'T0107', channel: 'window_api:test' });
    const ev = fx.svc.get(evaluationId)?.evaluation;
    expect(ev).toMatchObject({
      state: 'cancelled',
      cancelled_by: 'window_api:test',
      cancel_reason: 'wrong_case',
    });
    expect(records(fx.db)).toMatchObject([{ status: 'cancelled', cancelReason: 'wrong_case' }]);
  });

  it('cancel is refused once the citizen chose a star (no suppressing a bad review)', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.press({ source: 'key', key: 1 });
    expectApiError(
      () => fx.svc.cancel(evaluationId, { reason: 'other', staffId: 'T0107', channel: 'x' }),
      'not_cancellable',
    );
  });

  it('a second evaluation while one is open is busy', () => {
    start({ cases: [oneCase('F-1')] });
    expectApiError(() => start({ cases: [oneCase('F-2')] }), 'busy');
  });
});

describe('records: deviceSeq, hash chain, risk flags, outbox', () => {
  it('deviceSeq strictly increases and prevHash links the chain', () => {
    for (let i = 0; i < 3; i++) {
      start({ cases: [oneCase(`G-${i}`)] });
      fx.clock.advance(3000);
      fx.svc.press({ source: 'key', key: 5 });
    }
    const recs = records(fx.db);
    expect(recs.map((r) => r.deviceSeq)).toEqual([1, 2, 3]);
    expect(recs[1]?.prevHash).toBe(recs[0]?.hash);
    expect(recs[0]?.prevHash).toBe('0'.repeat(64));
    const outbox = fx.db
      .prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'record' AND state = 'pending'`)
      .get() as { n: number };
    expect(outbox.n).toBe(3);
  });

  it('fast_rating and key_and_touch are flagged', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(500);
    fx.svc.press({ source: 'key', key: 2 });
    fx.svc.press({ source: 'touch', key: 5, evaluationId });
    fx.svc.submitReasons(evaluationId, [badCode(2)], undefined);
    expect(records(fx.db)[0]?.riskFlags).toEqual(expect.arrayContaining(['fast_rating', 'key_and_touch']));
  });

  it('key_and_touch: a touch long after the key press of the same evaluation still counts (its own presses found by id)', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.clock.advance(3000);
    fx.svc.press({ source: 'key', key: 2 });
    fx.clock.advance(40_000); // far outside the time window around the rating, still in the reasons step
    fx.svc.press({ source: 'touch', key: 5, evaluationId });
    fx.svc.submitReasons(evaluationId, [badCode(2)], undefined);
    expect(records(fx.db)[0]?.riskFlags).toEqual(['key_and_touch']);
  });

  it('burst: the 5th quick rating of one staff member within 2 minutes is flagged; stray presses too', () => {
    const flags: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      if (i === 4) fx.svc.press({ source: 'key', key: 5 }); // a stray press just before the prompt
      fx.clock.advance(1000);
      start({ cases: [oneCase(`BURST-${i}`)] });
      fx.clock.advance(2000);
      fx.svc.press({ source: 'key', key: 5 });
      flags.push(records(fx.db).at(-1)?.riskFlags ?? []);
      fx.clock.advance(3000);
    }
    expect(flags.slice(0, 4)).toEqual([[], [], [], []]);
    expect(flags[4]).toEqual(expect.arrayContaining(['burst', 'stray_presses']));
  });

  it('burst at the window edge (decision 205): a quick rating 1 ms inside the 2 minutes counts, one at the edge does not; a slow 5th rating completes none', () => {
    // Four quick ratings (the first rated 4,999 ms after its prompt, the others 1 s after theirs),
    // then a fifth quick rating `gapMs` after the first was rated. Returns the fifth one's flags.
    const fifthAfter = (gapMs: number, fifthTakesMs = 1000): unknown => {
      const before = records(fx.db).length;
      const first = fx.clock.now();
      start({ cases: [oneCase(`EDGE-${first}-0`)] });
      fx.clock.advance(4999);
      fx.svc.press({ source: 'key', key: 5 });
      const firstRated = fx.clock.now();
      for (let i = 1; i < 4; i++) {
        fx.clock.advance(10_000);
        start({ cases: [oneCase(`EDGE-${first}-${i}`)] });
        fx.clock.advance(1000);
        fx.svc.press({ source: 'key', key: 5 });
      }
      fx.clock.t = firstRated + gapMs - fifthTakesMs;
      start({ cases: [oneCase(`EDGE-${first}-4`)] });
      fx.clock.advance(fifthTakesMs);
      fx.svc.press({ source: 'key', key: 5 });
      // the fifth rating was sealed, and its record is the one read
      expect(records(fx.db)).toHaveLength(before + 5);
      expect(records(fx.db).at(-1)?.projectNo).toBe(`EDGE-${first}-4`);
      const flags = records(fx.db).at(-1)?.riskFlags ?? [];
      fx.clock.advance(600_000); // the next case starts with nothing in its window
      return flags;
    };
    expect(fifthAfter(119_999)).toContain('burst');
    expect(fifthAfter(120_000)).not.toContain('burst');
    expect(fifthAfter(119_999, 5000)).not.toContain('burst');
    expect(fifthAfter(119_999, 4999)).toContain('burst');
  });

  it('a 差评 is queued as urgent', () => {
    const { evaluationId } = start({ cases: [oneCase()] });
    fx.svc.press({ source: 'key', key: 1 });
    fx.svc.submitReasons(evaluationId, [badCode(1)], undefined);
    const row = fx.db.prepare('SELECT urgent FROM outbox').get() as { urgent: number };
    expect(row.urgent).toBe(1);
  });

  it('privacy: the schema has no column for a citizen name, ID number or phone', () => {
    const cols = fx.db
      .prepare(
        `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`,
      )
      .all() as Array<{ t: string; c: string }>;
    expect(cols.length).toBeGreaterThan(20);
    expect(cols.filter((c) => /citizen|id_?card|id_?number|phone|mobile|person_name/i.test(c.c))).toEqual([]);
  });
});
