import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  CalendarNotCoveredError,
  coveredYears,
  isCovered,
  isWorkingDay,
} from '../../../src/domain/calendar.js';

describe('calendar: working days with 调休', () => {
  it('a bad review on 2026-09-30 with 3 working days is due 2026-10-10 (National Day, make-up Saturday)', () => {
    expect(addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
    expect(isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休
    for (let d = 1; d <= 7; d++) expect(isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(isWorkingDay('2026-09-20')).toBe(true); // Sunday, 调休 before National Day
  });

  it.each([
    // Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 are working days.
    ['2026-02-12', 3, '2026-02-24'], // 02-13, 02-14 (Sat, 调休), then 02-24
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-13', 3, '2026-02-25'],
    ['2026-02-14', 1, '2026-02-24'], // from a make-up day across the whole holiday
    ['2026-02-16', 3, '2026-02-26'], // rated during the holiday
    ['2026-02-26', 3, '2026-03-02'], // 02-27, 02-28 (Sat, 调休), 03-02
    ['2026-02-27', 1, '2026-02-28'],
    ['2026-02-06', 5, '2026-02-13'], // plain weeks before it
    ['2026-01-30', 15, '2026-02-27'],
  ] as const)('%s + %i working days = %s', (from, n, due) => {
    expect(addWorkingDays(from, n)).toBe(due);
  });

  it('the day itself never counts, n = 0 returns it', () => {
    expect(addWorkingDays('2026-10-03', 0)).toBe('2026-10-03');
    expect(addWorkingDays('2026-10-09', 1)).toBe('2026-10-10');
    expect(addWorkingDays('2026-10-10', 1)).toBe('2026-10-12');
  });

  it('plain weekends are not working days, plain weekdays are', () => {
    expect(isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-09')).toBe(true); // Monday
  });

  it('covers 2004..2026 and not 2027', () => {
    const years = coveredYears();
    expect(years[0]).toBe(2004);
    expect(years).toContain(2025);
    expect(years).toContain(2026);
    expect(years).not.toContain(2027);
    for (let y = 2004; y <= 2026; y++) expect(years).toContain(y);
  });

  it('refuses 2027 instead of treating it as plain weekdays', () => {
    expect(() => isWorkingDay('2027-01-04')).toThrow(CalendarNotCoveredError);
    expect(() => addWorkingDays('2027-02-01', 3)).toThrow(/2027/);
    try {
      isWorkingDay('2027-06-01');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CalendarNotCoveredError);
      expect((err as CalendarNotCoveredError).year).toBe(2027);
    }
  });

  it('refuses a deadline that runs into 2027, and the last days of December whose arrangement the next notice may change', () => {
    expect(addWorkingDays('2026-12-22', 3)).toBe('2026-12-25');
    expect(() => addWorkingDays('2026-12-25', 3)).toThrow(CalendarNotCoveredError); // reaches 12-29
    expect(isCovered('2026-12-28')).toBe(true);
    expect(isCovered('2026-12-29')).toBe(false);
    expect(isCovered('2027-03-01')).toBe(false);
    // The precedent: the 2019 notice made 2018-12-29 a working Saturday and 2018-12-31 a holiday.
    expect(isWorkingDay('2018-12-29')).toBe(true);
    expect(isWorkingDay('2018-12-31')).toBe(false);
  });

  it('rejects malformed input', () => {
    expect(() => addWorkingDays('2026-9-30', 3)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-02-30', 3)).toThrow(/no such date/);
    expect(() => addWorkingDays('2026-09-30', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-09-30', 1.5)).toThrow(RangeError);
  });

  it('agrees with chinese-days on every covered day (in China), and answers the same in any process time zone', () => {
    const lib = chineseDays as unknown as { isWorkday: (d: string) => boolean };
    const saved = process.env.TZ;
    const days: string[] = [];
    for (let t = Date.UTC(2004, 0, 1); t <= Date.UTC(2026, 11, 28); t += 86_400_000)
      days.push(new Date(t).toISOString().slice(0, 10));
    try {
      process.env.TZ = 'Asia/Shanghai';
      const mismatches = days.filter((d) => isWorkingDay(d) !== lib.isWorkday(d));
      expect(mismatches).toEqual([]);
      const inChina = days.map(isWorkingDay);
      // The library's own functions go wrong west of UTC; ours must not.
      process.env.TZ = 'America/Los_Angeles';
      expect(days.map(isWorkingDay)).toEqual(inChina);
      expect(addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(days.length).toBeGreaterThan(8000);
  });
});
