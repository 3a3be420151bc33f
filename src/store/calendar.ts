import { z } from 'zod';
import type { CalendarYear } from '../domain/calendar.js';
import type { Db } from './db.js';

/**
 * The platform's holiday calendars (GET /v1/calendar?year=, platform-api 1.1), one `refdata`
 * row per year named `calendar:YYYY`, with its ETag. Validated on the way in; an answer that
 * doesn't parse is refused and the previous copy stays.
 */

const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const calendarYearSchema = z
  .object({
    year: z.number().int().min(2000).max(2200),
    holidays: z.array(ymd).max(366),
    workdays: z.array(ymd).max(366),
  })
  .superRefine((v, ctx) => {
    // A year's list may reach into the previous or next year's edge (a notice re-arranging
    // late December), never further.
    for (const d of [...v.holidays, ...v.workdays]) {
      const y = Number(d.slice(0, 4));
      if (Math.abs(y - v.year) > 1)
        ctx.addIssue({ code: 'custom', path: ['holidays'], message: `${d} is not near ${v.year}` });
    }
  });

const nameOf = (year: number) => `calendar:${year}`;

export function getCalendarYear(db: Db, year: number): { value: CalendarYear; etag: string | null } | null {
  const row = db.prepare('SELECT body, etag FROM refdata WHERE name = ?').get(nameOf(year)) as
    { body: string; etag: string | null } | undefined;
  if (!row) return null;
  try {
    const parsed = calendarYearSchema.safeParse(JSON.parse(row.body));
    return parsed.success ? { value: parsed.data, etag: row.etag } : null;
  } catch {
    return null;
  }
}

/** Every stored year, ascending. */
export function storedCalendarYears(db: Db): CalendarYear[] {
  const rows = db
    .prepare(`SELECT name FROM refdata WHERE name LIKE 'calendar:%' ORDER BY name`)
    .all() as Array<{ name: string }>;
  const out: CalendarYear[] = [];
  for (const r of rows) {
    const got = getCalendarYear(db, Number(r.name.slice('calendar:'.length)));
    if (got) out.push(got.value);
  }
  return out;
}

/** Latest change stamp over all stored years, so readers can cache by it. */
export function calendarStamp(db: Db): string {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(MAX(fetched_ms), 0) AS m FROM refdata WHERE name LIKE 'calendar:%'`,
    )
    .get() as { n: number; m: number };
  return `${row.n}:${row.m}`;
}

export function putCalendarYear(
  db: Db,
  year: number,
  body: unknown,
  etag: string | null,
  nowMs: number,
): { ok: true } | { ok: false; error: string } {
  const parsed = calendarYearSchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, error: `calendar ${year}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  if (parsed.data.year !== year)
    return { ok: false, error: `calendar ${year}: answer is for ${parsed.data.year}` };
  db.prepare(
    `INSERT INTO refdata (name, etag, body, fetched_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_ms = excluded.fetched_ms`,
  ).run(nameOf(year), etag, JSON.stringify(parsed.data), nowMs);
  return { ok: true };
}

export function touchCalendarYear(db: Db, year: number, nowMs: number): void {
  db.prepare('UPDATE refdata SET fetched_ms = ? WHERE name = ?').run(nowMs, nameOf(year));
}
