import { describe, expect, it } from 'vitest';
import {
  appealDeadline,
  appealRequestSchema,
  canAppeal,
  platformAppealSchema,
} from '../../../src/domain/appeal.js';
import { parseCst } from '../../../src/domain/time.js';

const bad = (assessTime: string, satisfaction = 1) => ({
  status: 'rated' as const,
  satisfaction,
  assessTime,
});

describe('appeal deadline', () => {
  it('counts from the CST date of the rating', () => {
    expect(appealDeadline(parseCst('2026-09-30 10:00:00'), 3)).toBe('2026-10-10');
    // 2026-09-30 20:30 UTC is already 2026-10-01 in CST: the rating was on a holiday.
    expect(appealDeadline(Date.UTC(2026, 8, 30, 20, 30), 3)).toBe('2026-10-10');
    expect(appealDeadline(parseCst('2026-10-08 23:59:59'), 1)).toBe('2026-10-09');
    expect(appealDeadline(parseCst('2026-02-13 09:00:00'), 3)).toBe('2026-02-25');
  });

  it('is configuration: 1, 5, 7, 10, 15 working days', () => {
    const t = parseCst('2026-09-30 10:00:00');
    expect(appealDeadline(t, 1)).toBe('2026-10-08');
    expect(appealDeadline(t, 5)).toBe('2026-10-13');
    expect(appealDeadline(t, 7)).toBe('2026-10-15');
    expect(appealDeadline(t, 10)).toBe('2026-10-20');
    expect(appealDeadline(t, 15)).toBe('2026-10-27');
  });
});

describe('canAppeal', () => {
  it('allows a bad review until the end of the deadline day (CST), then refuses', () => {
    const rec = bad('2026-09-30 10:00:00', 2);
    expect(canAppeal(rec, parseCst('2026-10-05 12:00:00'), 3)).toEqual({ ok: true, deadline: '2026-10-10' });
    expect(canAppeal(rec, parseCst('2026-10-10 23:59:59'), 3)).toEqual({ ok: true, deadline: '2026-10-10' });
    expect(canAppeal(rec, parseCst('2026-10-11 00:00:00'), 3)).toEqual({
      ok: false,
      reason: 'deadline_passed',
      deadline: '2026-10-10',
    });
  });

  it('refuses anything but a bad review', () => {
    const now = parseCst('2026-10-01 00:00:00');
    expect(canAppeal(bad('2026-09-30 10:00:00', 3), now, 3)).toMatchObject({
      ok: false,
      reason: 'not_bad_review',
    });
    expect(canAppeal(bad('2026-09-30 10:00:00', 5), now, 3)).toMatchObject({
      ok: false,
      reason: 'not_bad_review',
    });
    expect(
      canAppeal({ status: 'unrated', startedTime: '2026-09-30 10:00:00' } as never, now, 3),
    ).toMatchObject({ ok: false, reason: 'not_bad_review' });
    expect(
      canAppeal({ status: 'unrated', satisfaction: 1, assessTime: '2026-09-30 10:00:00' }, now, 3),
    ).toMatchObject({ ok: false, reason: 'not_bad_review' });
  });

  it('says so when the calendar does not cover the deadline', () => {
    expect(canAppeal(bad('2027-01-05 10:00:00'), parseCst('2027-01-05 11:00:00'), 3)).toEqual({
      ok: false,
      reason: 'calendar_not_covered',
      deadline: null,
    });
    expect(canAppeal(bad('2026-12-28 10:00:00'), parseCst('2026-12-28 11:00:00'), 3)).toMatchObject({
      reason: 'calendar_not_covered',
    });
  });
});

describe('appeal request schemas', () => {
  it('wants a reason of 5..500 characters after trimming', () => {
    expect(appealRequestSchema.safeParse({ recordId: 'e1', reason: '办件材料齐全' }).success).toBe(true);
    expect(appealRequestSchema.safeParse({ recordId: 'e1', reason: '   太短了   ' }).success).toBe(false);
    expect(appealRequestSchema.safeParse({ recordId: 'e1', reason: 'x'.repeat(500) }).success).toBe(true);
    expect(appealRequestSchema.safeParse({ recordId: 'e1', reason: 'x'.repeat(501) }).success).toBe(false);
    expect(appealRequestSchema.safeParse({ recordId: '', reason: '理由理由理由' }).success).toBe(false);
    expect(appealRequestSchema.safeParse({ recordId: 'e1', reason: '理由理由理由', extra: 1 }).success).toBe(
      false,
    );
    expect(appealRequestSchema.parse({ recordId: 'e1', reason: '  理由理由理由 ' }).reason).toBe(
      '理由理由理由',
    );
  });

  it('checks the platform body of §5', () => {
    const ok = {
      appealId: 'a1',
      evaluationId: 'e1',
      staffId: 's1',
      reason: '群众误操作评价',
      submittedTime: '2026-10-08 09:00:00',
    };
    expect(platformAppealSchema.safeParse(ok).success).toBe(true);
    expect(platformAppealSchema.safeParse({ ...ok, submittedTime: '2026-10-08T09:00:00' }).success).toBe(
      false,
    );
  });
});
