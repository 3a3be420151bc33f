import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/**
 * Working days on the Chinese public-holiday calendar, make-up working days (调休) included,
 * from the `chinese-days` dataset. The dataset silently treats a year it has no data for as
 * plain Monday–Friday weeks (1.5.x has none for 2027), which would give wrong appeal deadlines
 * without any sign; so every date we look at must lie in a year the dataset really covers.
 *
 * We read the package's published JSON (holidays and 调休 working days by yyyy-MM-dd, the
 * file its README offers) rather than its functions: those parse dates in the process's local
 * zone and answer wrongly west of UTC (in America/Los_Angeles it calls Saturday 2026-03-07 a
 * working day). A pad abroad or with a mis-set zone must still get Chinese deadlines.
 */

const data = holidayData as { holidays: Record<string, string>; workdays: Record<string, string> };

export class CalendarNotCoveredError extends Error {
  constructor(
    readonly date: string,
    readonly year: number,
  ) {
    super(
      `节假日数据未覆盖 ${year} 年 / the holiday calendar has no data for ${year} (needed for ${date}); ` +
        'update the chinese-days package once the State Council has published that year',
    );
    this.name = 'CalendarNotCoveredError';
  }
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** Far beyond any configured appeal period (max 15 working days); guards against a runaway loop. */
const MAX_WORKING_DAYS = 366;

/** Years with at least one holiday in the dataset: every published year has several (元旦, 春节 …). */
const yearsWithData: ReadonlySet<number> = new Set(
  Object.keys(data.holidays).map((d) => Number(d.slice(0, 4))),
);

function yearHasData(year: number): boolean {
  return yearsWithData.has(year);
}

/** Years the dataset has holiday data for, ascending. */
export function coveredYears(): number[] {
  return [...yearsWithData].sort((x, y) => x - y);
}

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

/**
 * Throws CalendarNotCoveredError unless the dataset can answer for this date. The next year's
 * notice can re-arrange the last days of December (the 2019 notice made 2018-12-29 a working
 * Saturday and 2018-12-31 a holiday), so Dec 29–31 also need the next year's data.
 */
function assertCovered(ymd: string, year: number): void {
  if (!yearHasData(year)) throw new CalendarNotCoveredError(ymd, year);
  if (ymd.slice(5) >= '12-29' && !yearHasData(year + 1)) throw new CalendarNotCoveredError(ymd, year + 1);
}

export function isCovered(ymd: string): boolean {
  const { year } = parseYmd(ymd);
  try {
    assertCovered(ymd, year);
    return true;
  } catch (err) {
    if (err instanceof CalendarNotCoveredError) return false;
    throw err;
  }
}

/** Whether government offices work on this date (weekdays minus holidays plus 调休 Saturdays/Sundays). */
export function isWorkingDay(ymd: string): boolean {
  const { year, utcMs } = parseYmd(ymd);
  assertCovered(ymd, year);
  if (ymd in data.workdays) return true; // 调休: a weekend day worked
  if (ymd in data.holidays) return false;
  const weekday = new Date(utcMs).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The date n working days after `dateYmd`. Counting starts the day after (the day itself never
 * counts, working day or not), so n = 0 gives `dateYmd` back.
 */
export function addWorkingDays(dateYmd: string, n: number): string {
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
}
