import { createCalendar, SHIPPED_CALENDAR_YEARS, type CalendarYear } from '../src/domain/calendar.js';

/**
 * The holiday calendars the demo platform publishes (GET /v1/calendar?year=, platform-api 1.1
 * §3): every year of the chinese-days package, plus 2027 as the State Council's notice of
 * autumn 2026 would add it. The 2027 dates below are the simulator's illustrative stand-in for
 * that notice (the shipped package has none): a real platform serves the official one.
 */
export const DEMO_2027: CalendarYear = {
  year: 2027,
  holidays: [
    '2027-01-01',
    '2027-01-02',
    '2027-01-03',
    ...['05', '06', '07', '08', '09', '10', '11', '12'].map((d) => `2027-02-${d}`),
    '2027-04-03',
    '2027-04-04',
    '2027-04-05',
    '2027-05-01',
    '2027-05-02',
    '2027-05-03',
    '2027-05-04',
    '2027-05-05',
    '2027-06-09',
    '2027-09-15',
    ...['01', '02', '03', '04', '05', '06', '07'].map((d) => `2027-10-${d}`),
  ],
  workdays: ['2027-02-14', '2027-02-20', '2027-04-25', '2027-09-26', '2027-10-09'],
};

export function defaultSimCalendarYears(): CalendarYear[] {
  return [...SHIPPED_CALENDAR_YEARS, DEMO_2027];
}

/** The platform's own calendar: what it serves, and how it counts appeal deadlines. */
export class SimCalendar {
  private readonly years: Map<number, CalendarYear>;
  private readonly calendar;

  constructor(years: readonly CalendarYear[]) {
    this.years = new Map(years.map((y) => [y.year, y]));
    this.calendar = createCalendar(years);
  }

  /** The year's calendar, or null while it is not published (404). */
  year(year: number): CalendarYear | null {
    const y = this.years.get(year);
    return y ? { year: y.year, holidays: [...y.holidays], workdays: [...y.workdays] } : null;
  }

  /**
   * The last day to appeal: the n-th working day after the rating day. The platform decides
   * (platform-api 1.1 §5): for a date its calendar does not cover it counts Monday to Friday.
   */
  appealDeadline(ratingDate: string, workingDays: number): string {
    if (this.calendar.isCovered(ratingDate)) {
      try {
        return this.calendar.addWorkingDays(ratingDate, workingDays);
      } catch {
        // the count ran past the covered years: weekdays from here
      }
    }
    let t = Date.parse(`${ratingDate}T00:00:00Z`);
    let left = workingDays;
    let day = ratingDate;
    while (left > 0) {
      t += 86_400_000;
      day = new Date(t).toISOString().slice(0, 10);
      const covered = this.calendar.isCovered(day);
      const working = covered ? this.calendar.isWorkingDay(day) : ![0, 6].includes(new Date(t).getUTCDay());
      if (working) left -= 1;
    }
    return day;
  }
}
