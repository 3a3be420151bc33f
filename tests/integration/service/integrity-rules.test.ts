/**
 * The rating-integrity rules (platform-api 1.1, window-api 1.1, domain.md rev. 2026-12) at the
 * service level, over a real SQLite file and a fake clock. Each test names its rule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEvaluationSchema } from '../../../src/api/contract.js';
import { DomainError } from '../../../src/domain/errors.js';
import { recordHash } from '../../../src/domain/canonical.js';
import { staffFigures } from '../../../src/store/figures.js';
import { platformRecordSchema } from '../../../src/domain/record.js';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { STAFF, TIMING, badCode, oneCase, records, serviceFixture } from '../../helpers/service.js';

type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => fx.cleanup());

const start = (input: Parameters<Fx['svc']['start']>[0], staff = STAFF) =>
  fx.svc.start(input, { origin: 'window_api', staff });
const cancel = (id: string, reason: 'wrong_case' | 'citizen_left' | 'other' = 'wrong_case') =>
  fx.svc.cancel(id, { reason, staffId: STAFF.staffId, channel: `staff_panel:${STAFF.staffId}` });
const urgentOf = (recordId: string) =>
  (
    fx.db.prepare(`SELECT urgent FROM outbox WHERE kind = 'record' AND ref = ?`).get(recordId) as {
      urgent: number;
    }
  ).urgent;
const chainCases = () => [
  { projectNo: 'D-1', taskCode: 'T-A', taskName: '事项甲', promiseType: 1 as const },
  { projectNo: 'D-2', taskCode: 'T-B', taskName: '事项乙', promiseType: 1 as const },
];

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

/** A 差评 whose reasons step runs out. */
function abandonBad(projectNo: string, star: 1 | 2 = 1): string {
  const { evaluationId } = start({ cases: [oneCase(projectNo)] });
  fx.clock.advance(3000);
  fx.svc.press({ source: 'key', key: star });
  fx.clock.advance(TIMING.reasonsTimeoutS * 1000 + 1);
  fx.svc.expireDue();
  return evaluationId;
}

describe('rule 1: abandoned 差评', () => {
  it('rule 1: a 差评 whose reasons step runs out is sent unrated with abandonedSatisfaction, urgent, and counted apart', () => {
    const id = abandonBad('AB-1', 2);
    const [rec] = records(fx.db);
    expect(platformRecordSchema.parse(rec)).toMatchObject({ status: 'unrated', abandonedSatisfaction: 2 });
    expect(rec).not.toHaveProperty('satisfaction');
    expect(rec?.hash).toBe(recordHash(rec as Record<string, unknown>));
    expect(urgentOf(id)).toBe(1);
    // released to the figures once the next evaluation starts
    start({ cases: [oneCase('AB-next')] });
    const { today } = staffFigures(fx.db, STAFF.staffId, fx.clock.now());
    expect(today).toMatchObject({ unrated: 1, abandonedBad: 1, badCount: 0 });
  });

  it('rule 1: a plain time-out without any star carries no abandonedSatisfaction', () => {
    start({ cases: [oneCase('AB-2')] });
    fx.clock.advance(TIMING.rateTimeoutS * 1000 + 1);
    fx.svc.expireDue();
    expect(records(fx.db)[0]).toMatchObject({ status: 'unrated' });
    expect(records(fx.db)[0]).not.toHaveProperty('abandonedSatisfaction');
  });

  it('rule 1: a comment alone answers the reasons step of a 差评 (no indicator needed)', () => {
    const { evaluationId } = start({ cases: [oneCase('AB-3')] });
    fx.svc.press({ source: 'touch', key: 1, evaluationId });
    expect(fx.svc.submitReasons(evaluationId, [], '等了太久')).toEqual({ state: 'rated' });
    expect(records(fx.db)[0]).toMatchObject({
      status: 'rated',
      satisfaction: 1,
      writingEvaluation: '等了太久',
    });
  });
});

describe('rule 2: cancellations are records', () => {
  it('rule 2: a cancel with its reason is a hash-chained cancelled record with who, when and why', () => {
    start({ cases: [oneCase('C-0')] });
    fx.svc.press({ source: 'key', key: 5 });
    const { evaluationId } = start({ cases: [oneCase('C-1')] });
    fx.clock.advance(5000);
    cancel(evaluationId, 'citizen_left');
    const [first, rec] = records(fx.db);
    expect(platformRecordSchema.parse(rec)).toMatchObject({
      evaluationId,
      status: 'cancelled',
      cancelReason: 'citizen_left',
      cancelledBy: STAFF.staffId,
      deviceSeq: 2,
      prevHash: first?.hash,
    });
    expect(rec?.cancelledTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(rec?.hash).toBe(recordHash(rec as Record<string, unknown>));
    expect(rec).not.toHaveProperty('satisfaction');
  });

  it('rule 2: cancelling is refused once a star was chosen, and needs a reason at the edge', () => {
    const { evaluationId } = start({ cases: [oneCase('C-2')] });
    fx.svc.press({ source: 'key', key: 2 });
    expectApiError(() => cancel(evaluationId), 'not_cancellable');
    expect(records(fx.db)).toHaveLength(0);
    return import('../../../src/api/contract.js').then(({ commandSchemas }) => {
      // The screen's command also carries the signed-in member's PIN (the control is on the
      // citizen's screen); the window API's cancel is authenticated by its token instead.
      const pin = '246810';
      expect(commandSchemas.cancelEvaluation.safeParse({ evaluationId, pin }).success).toBe(false);
      expect(commandSchemas.cancelEvaluation.safeParse({ evaluationId, reason: 'other', pin }).success).toBe(
        true,
      );
    });
  });

  it('rule 2: cancelled evaluations count in started (评价覆盖率) and show in the figures', () => {
    start({ cases: [oneCase('C-3')] });
    fx.svc.press({ source: 'key', key: 5 });
    cancel(start({ cases: [oneCase('C-4')] }).evaluationId);
    start({ cases: [oneCase('C-5')] }); // releases the rated one
    cancel(fx.svc.openEvaluation()?.evaluation.id as string);
    const { today } = staffFigures(fx.db, STAFF.staffId, fx.clock.now());
    expect(today).toMatchObject({ started: 3, rated: 1, cancelled: 2, coverageRate: 1 / 3 });
  });

  it('rule 2: frequent_cancel flags the 3rd cancel when cancels are ≥ 25% of starts within 4 h', () => {
    for (let i = 0; i < 5; i++) {
      start({ cases: [oneCase(`FC-r${i}`)] });
      fx.svc.press({ source: 'key', key: 5 });
      fx.clock.advance(120_000);
    }
    const flagsOf = (id: string) => records(fx.db).find((r) => r.evaluationId === id)?.riskFlags;
    const c1 = start({ cases: [oneCase('FC-c1')] }).evaluationId;
    cancel(c1);
    fx.clock.advance(60_000);
    const c2 = start({ cases: [oneCase('FC-c2')] }).evaluationId;
    cancel(c2);
    fx.clock.advance(60_000);
    const c3 = start({ cases: [oneCase('FC-c3')] }).evaluationId;
    cancel(c3, 'other');
    expect(flagsOf(c1)).toBeUndefined();
    expect(flagsOf(c2)).toBeUndefined();
    expect(flagsOf(c3)).toEqual(['frequent_cancel']); // 3 of 8 started
    expect(fx.svc.get(c3)?.evaluation.risk_flags).toBe('["frequent_cancel"]');
  });

  it('rule 2: frequent_cancel stays off for occasional cancels among many ratings', () => {
    for (let i = 0; i < 12; i++) {
      start({ cases: [oneCase(`FO-r${i}`)] });
      fx.svc.press({ source: 'key', key: 4 });
      fx.clock.advance(300_000);
    }
    for (let i = 0; i < 3; i++) {
      cancel(start({ cases: [oneCase(`FO-c${i}`)] }).evaluationId);
      fx.clock.advance(60_000);
    }
    // 3 cancels among 15 started in 4 h: 20 %, below the share
    expect(
      records(fx.db)
        .filter((r) => r.status === 'cancelled')
        .map((r) => r.riskFlags),
    ).toEqual([undefined, undefined, undefined]);
  });
});

describe('rule 3: restart after an abandoned 差评', () => {
  it('rule 3: restart_after_bad: allowed, flagged, and both records are kept for the platform', () => {
    abandonBad('RS-1');
    const { evaluationId } = start({ cases: [oneCase('RS-1')] });
    fx.clock.advance(3000);
    fx.svc.press({ source: 'key', key: 5 });
    const recs = records(fx.db);
    expect(recs.map((r) => [r.projectNo, r.status, r.riskFlags])).toEqual([
      ['RS-1', 'unrated', undefined],
      ['RS-1', 'rated', ['restart_after_bad']],
    ]);
    expect(recs[1]?.evaluationId).toBe(evaluationId);
    // a plain unrated restart is not flagged
    start({ cases: [oneCase('RS-2')] });
    fx.clock.advance(TIMING.rateTimeoutS * 1000 + 1);
    fx.svc.expireDue();
    start({ cases: [oneCase('RS-2')] });
    fx.clock.advance(3000);
    fx.svc.press({ source: 'key', key: 4 });
    expect(records(fx.db).at(-1)).not.toHaveProperty('riskFlags');
  });
});

describe('rule 5: 承诺件 visits across windows', () => {
  it('rule 5: a 承诺件 visit is numbered after the highest visit the platform holds', () => {
    const promised = oneCase('CV-1', 2);
    fx.svc.start(
      { cases: [promised] },
      { origin: 'window_api', staff: STAFF, platformLastVisit: new Map([['CV-1', 3]]) },
    );
    fx.svc.press({ source: 'key', key: 5 });
    expect(records(fx.db)[0]).toMatchObject({ projectNo: 'CV-1', serviceNumber: 4 });
    // offline (no platform answer): its own records
    start({ cases: [promised] });
    fx.svc.press({ source: 'key', key: 5 });
    expect(records(fx.db)[1]).toMatchObject({ serviceNumber: 5 });
  });
});

describe('rule 6: idempotent starts', () => {
  it('rule 6: the same requestId within 24 h answers the first evaluationId and starts nothing', () => {
    const first = start({ cases: [oneCase('RQ-1')], requestId: 'QMS-1' });
    fx.svc.press({ source: 'key', key: 5 });
    fx.clock.advance(3600_000);
    const again = start({ cases: [oneCase('RQ-1')], requestId: 'QMS-1' });
    expect(again).toEqual({ evaluationId: first.evaluationId, replayed: true });
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get()).toEqual({ n: 1 });
    // even while the first one is still open (a retry on a time-out): not busy, the same answer
    const open = start({ cases: [oneCase('RQ-2')], requestId: 'QMS-2' });
    expect(start({ cases: [oneCase('RQ-2')], requestId: 'QMS-2' }).evaluationId).toBe(open.evaluationId);
    fx.svc.press({ source: 'key', key: 5 });
    // after 24 h the id is new again
    fx.clock.advance(24 * 3600_000);
    expect(start({ cases: [oneCase('RQ-3')], requestId: 'QMS-1' }).replayed).toBe(false);
  });
});

describe('rule 7: one case once per evaluation', () => {
  it('rule 7: the same case twice in one evaluation is refused with or without serviceNumber', () => {
    const twice = {
      cases: [
        { ...oneCase('DUP-1', 2), serviceNumber: 1 },
        { ...oneCase('DUP-1', 2), serviceNumber: 2 },
      ],
      groupType: 'batch' as const,
    };
    expect(startEvaluationSchema.safeParse(twice).success).toBe(false);
    expectApiError(() => start(twice), 'invalid');
    expectApiError(
      () => start({ cases: [oneCase('DUP-2'), oneCase('DUP-2')], groupType: 'batch' }),
      'invalid',
    );
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get()).toEqual({ n: 0 });
  });
});

describe('rule 8: chains', () => {
  it('rule 8: chain records carry groupMode', () => {
    const each = start({ cases: chainCases(), groupType: 'chain' }).evaluationId;
    fx.svc.chooseChainMode(each, 'each');
    fx.svc.press({ source: 'key', key: 4 });
    fx.svc.press({ source: 'key', key: 5 });
    const overall = start({
      cases: chainCases().map((c) => ({ ...c, projectNo: `${c.projectNo}o` })),
      groupType: 'chain',
    });
    fx.svc.press({ source: 'key', key: 5 }); // a key before choosing: overall
    expect(records(fx.db).map((r) => [r.groupId, r.groupMode])).toEqual([
      [each, 'each'],
      [each, 'each'],
      [overall.evaluationId, 'overall'],
      [overall.evaluationId, 'overall'],
    ]);
    for (const r of records(fx.db)) platformRecordSchema.parse(r);
  });

  it('rule 8: a 差评 on a chain’s first item goes out at once (urgent, with its sealed record announced)', () => {
    const id = start({ cases: chainCases(), groupType: 'chain' }).evaluationId;
    fx.svc.chooseChainMode(id, 'each');
    fx.svc.press({ source: 'key', key: 1 });
    fx.changes.length = 0;
    fx.svc.submitReasons(id, [badCode(1)], undefined);
    const [rec] = records(fx.db);
    expect(rec).toMatchObject({ status: 'rated', satisfaction: 1 });
    expect(urgentOf(rec?.evaluationId as string)).toBe(1);
    const step = fx.changes.find((c) => c.kind === 'step');
    expect(step).toMatchObject({ kind: 'step', sealed: [{ satisfaction: 1 }] });
  });

  it('rule 8: choosing the chain mode starts the rating time afresh', () => {
    const id = start({ cases: chainCases(), groupType: 'chain' }).evaluationId;
    fx.clock.advance(50_000);
    fx.svc.chooseChainMode(id, 'overall');
    expect(fx.svc.get(id)?.evaluation.step_deadline_ms).toBe(fx.clock.now() + TIMING.rateTimeoutS * 1000);
    fx.clock.advance(30_000); // 80 s after the start, 30 s after the choice
    fx.svc.expireDue();
    expect(fx.svc.get(id)?.evaluation.state).toBe('waiting');
  });
});

describe('rule 9: anti-interference', () => {
  it('rule 9: a bad review reaches its staff list only once the next evaluation started or 30 minutes passed', () => {
    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    const { evaluationId } = start({ cases: [oneCase('AI-1')] });
    fx.svc.press({ source: 'touch', key: 1, evaluationId });
    fx.svc.submitReasons(evaluationId, [badCode(1)], undefined);
    expect(queries.badReviews(STAFF.staffId)).toEqual([]);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 0, rated: 0, pending: 1 });
    start({ cases: [oneCase('AI-2')] });
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([evaluationId]);
    expect(queries.figures(STAFF.staffId).today).toMatchObject({ badCount: 1, rated: 1 });

    // the 30-minute path, with no next evaluation
    fx.clock.advance(TIMING.rateTimeoutS * 1000 + 1);
    fx.svc.expireDue();
    const late = start({ cases: [oneCase('AI-3')] }).evaluationId;
    fx.svc.press({ source: 'touch', key: 2, evaluationId: late });
    fx.svc.submitReasons(late, [badCode(2)], undefined);
    fx.clock.advance(29 * 60_000);
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([evaluationId]);
    fx.clock.advance(60_000 + 1);
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([late, evaluationId]);
  });
});
