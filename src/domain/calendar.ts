import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/**
 * Working days on the Chinese public-holiday calendar, make-up working days (调休) included,
 * from the `chinese-days` dataset. The dataset silently treats a year it has no data for as
 * plain Monday–Friday weeks (1.5.x has none for 2027), which would give wrong appeal deadlines
 * without any sign; so every date we look at must lie in a year the dataset really covers.
 *
 * The platform's calendar (GET /v1/calendar, platform-api 1.1) comes first: a year it published
 * replaces the shipped data for that year, so a pad keeps counting right on 1 January of a year
 * nobody shipped it. Years neither source has stay "not covered": the pad then says so and lets
 * the platform decide (domain.md "Time").
 *
 * We read the package's published JSON (holidays and 调休 working days by yyyy-MM-dd, the
 * file its README offers) rather than its functions: those parse dates in the process's local
 * zone and answer wrongly west of UTC (in America/Los_Angeles it calls Saturday 2026-03-07 a
 * working day). A pad abroad or with a mis-set zone must still get Chinese deadlines.
 */

const shipped = holidayData as { holidays: Record<string, string>; workdays: Record<string, string> };

/** One year's official calendar: its public holidays and its make-up working days (调休). */
export interface CalendarYear {
  year: number;
  holidays: readonly string[];
  workdays: readonly string[];
}

export class CalendarNotCoveredError extends Error {
  constructor(
    readonly date: string,
    readonly year: number,
  ) {
    super(
      `节假日数据未覆盖 ${year} 年 / the holiday calendar has no data for ${year} (needed for ${date}); ` +
        'the platform decides this deadline',
    );
    this.name = 'CalendarNotCoveredError';
  }
}

export interface WorkingDayCalendar {
  /** Years this calendar can answer for, ascending. */
  coveredYears(): number[];
  isCovered(ymd: string): boolean;
  /** Whether government offices work on this date (weekdays minus holidays plus 调休 weekend days). */
  isWorkingDay(ymd: string): boolean;
  /**
   * The date n working days after `dateYmd`. Counting starts the day after (the day itself never
   * counts, working day or not), so n = 0 gives `dateYmd` back.
   */
  addWorkingDays(dateYmd: string, n: number): string;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** Far beyond any configured appeal period (max 15 working days); guards against a runaway loop. */
const MAX_WORKING_DAYS = 366;

function parseYmd(ymd: string): { year: number; utcMs: number } {
  const m = YMD.exec(ymd);
  if (!m) throw new RangeError(`not a yyyy-MM-dd date: ${ymd}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utcMs = Date.UTC(y, mo - 1, d);
  const back = new Date(utcMs);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`no such date: ${ymd}`);
  }
  return { year: y, utcMs };
}

function formatUtcYmd(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 10);
}

/** The shipped dataset as calendar years (every published year has several holidays). */
function shippedYears(): CalendarYear[] {
  const byYear = new Map<number, { holidays: string[]; workdays: string[] }>();
  const entry = (y: number) => {
    let e = byYear.get(y);
    if (!e) byYear.set(y, (e = { holidays: [], workdays: [] }));
    return e;
  };
  for (const d of Object.keys(shipped.holidays)) entry(Number(d.slice(0, 4))).holidays.push(d);
  for (const d of Object.keys(shipped.workdays)) {
    const y = Number(d.slice(0, 4));
    if (byYear.has(y)) entry(y).workdays.push(d);
  }
  return [...byYear.entries()].map(([year, v]) => ({ year, ...v }));
}

/**
 * A calendar over the given years; a later entry for the same year replaces an earlier one, so
 * `createCalendar([...shipped, ...fromPlatform])` prefers the platform.
 */
export function createCalendar(years: readonly CalendarYear[]): WorkingDayCalendar {
  const holidays = new Map<number, ReadonlySet<string>>();
  const workdays = new Map<number, ReadonlySet<string>>();
  for (const y of years) {
    holidays.set(y.year, new Set(y.holidays));
    workdays.set(y.year, new Set(y.workdays));
  }
  const has = (year: number) => holidays.has(year);
  /**
   * The next year's notice can re-arrange the last days of December (the 2019 notice made
   * 2018-12-29 a working Saturday and 2018-12-31 a holiday), so Dec 29–31 also need the next
   * year's data.
   */
  const assertCovered = (ymd: string, year: number) => {
    if (!has(year)) throw new CalendarNotCoveredError(ymd, year);
    if (ymd.slice(5) >= '12-29' && !has(year + 1)) throw new CalendarNotCoveredError(ymd, year + 1);
  };
  const isWorkingDay = (ymd: string): boolean => {
    const { year, utcMs } = parseYmd(ymd);
    assertCovered(ymd, year);
    // The next year's notice may list late-December days: look in both years' lists.
    const inList = (m: Map<number, ReadonlySet<string>>) =>
      (m.get(year)?.has(ymd) ?? false) || (m.get(year + 1)?.has(ymd) ?? false);
    if (inList(workdays)) return true; // 调休: a weekend day worked
    if (inList(holidays)) return false;
    const weekday = new Date(utcMs).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  };
  return {
    coveredYears: () => [...holidays.keys()].sort((x, y) => x - y),
    isCovered(ymd) {
      const { year } = parseYmd(ymd);
      try {
        assertCovered(ymd, year);
        return true;
      } catch (err) {
        if (err instanceof CalendarNotCoveredError) return false;
        throw err;
      }
    },
    isWorkingDay,
    addWorkingDays(dateYmd, n) {
      if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
        throw new RangeError(`working days must be an integer 0..${MAX_WORKING_DAYS}: ${n}`);
      }
      let { utcMs } = parseYmd(dateYmd);
      let current = dateYmd;
      let left = n;
      while (left > 0) {
        utcMs += DAY_MS;
        current = formatUtcYmd(utcMs);
        if (isWorkingDay(current)) left -= 1;
      }
      return current;
    },
  };
}

export const SHIPPED_CALENDAR_YEARS: readonly CalendarYear[] = shippedYears();

/** The shipped package data alone: what a pad knows before the platform ever answered. */
export const shippedCalendar: WorkingDayCalendar = createCalendar(SHIPPED_CALENDAR_YEARS);

/** Years the shipped dataset has holiday data for, ascending. */
export function coveredYears(): number[] {
  return shippedCalendar.coveredYears();
}

export function isCovered(ymd: string): boolean {
  return shippedCalendar.isCovered(ymd);
}

export function isWorkingDay(ymd: string): boolean {
  return shippedCalendar.isWorkingDay(ymd);
}

export function addWorkingDays(dateYmd: string, n: number): string {
  return shippedCalendar.addWorkingDays(dateYmd, n);
}
