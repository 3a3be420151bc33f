import type { Db } from './db.js';
import { canAppeal, DEFAULT_APPEAL_WORKING_DAYS } from '../domain/appeal.js';
import { cstDate, cstDayStart, cstMonthStart, formatCst, parseCst } from '../domain/time.js';
import { shippedCalendar, type WorkingDayCalendar } from '../domain/calendar.js';
import type { AppealCounts, Figures } from '../domain/types.js';
import { recordTextSql } from './records.js';

export type { AppealCounts, Figures };

/**
 * The figures the pad shows (domain.md "Figures the pad shows", seed 三(二)), per staff member
 * and per window, for today and this month in CST. They cover what this pad saw: ratings given
 * later by QR code or SMS are counted by the platform.
 *
 * Counting rules:
 * - The unit is the case record, not the evaluation: a 批量 batch or 一链办 chain of three
 *   cases rated together counts as 3 started and 3 rated, as the platform counts them.
 * - An evaluation belongs to the period of its start (evaluations.started_ms), so an
 *   evaluation started at 23:59 and rated at 00:00 is yesterday's.
 * - Cancelled cases count in "started" (评价覆盖率 = rated ÷ started, cancelled included) and
 *   apart in `cancelled`: cancelling cannot quietly improve the coverage.
 * - An abandoned 差评 (a 1–2 star whose reasons step ran out) is unrated for the platform and
 *   counted apart in `abandonedBad`, a 差评 lead; it is not in `badCount`, which counts ratings.
 * - Anti-interference: an evaluation stays `pending` (in no outcome) while it is open (a chain
 *   rated item by item included) and, once closed, until the next evaluation at its window has
 *   started or 30 minutes have passed, so the staff side never
 *   learns a rating while the citizen may still be at the window. started = rated + unrated +
 *   cancelled + pending.
 * - Status and satisfaction come from the sealed record; when retention has pruned the record
 *   they come from the case row (outcome, chosen star), which says the same.
 * - A folded evaluation (fold.ts, decision 220: its rows deleted 4 h after it closed) is counted
 *   from `day_figures`, on the CST day its record says it started, with the 差评 the fold noted
 *   there; it is never held.
 */

/** How long a closed evaluation stays out of the staff side when no next one starts. */
export const RELEASE_AFTER_MS = 30 * 60_000;

/**
 * SQL: true while the citizen of evaluation `e` may still be at the window, so the staff side must
 * not learn its ratings: while it is open (a chain rated item by item goes on after an item's
 * seal), and once closed until the next evaluation at its window has started or 30 minutes have
 * passed. Needs the parameter @now.
 */
export const HELD_SQL = `(e.state IN ('waiting', 'reasons') OR (e.state IN ('rated', 'unrated')
  AND e.closed_ms > @now - ${RELEASE_AFTER_MS}
  AND NOT EXISTS (SELECT 1 FROM evaluations n
    WHERE n.window_no = e.window_no AND n.started_ms >= e.closed_ms AND n.id <> e.id)))`;

/**
 * SQL: the same for record `r` whose evaluation has no working row — folded (hours old: never
 * held), or a record salvaged from a damaged database or taken over from another pad, which may
 * be a minute old: held on its own seal time until an evaluation started since or 30 minutes
 * passed. A seal time after now was timed by another run's clock (one set back since): not held,
 * as nothing on this clock could release it. Needs @now.
 */
export const HELD_RECORD_SQL = `(r.created_ms > @now - ${RELEASE_AFTER_MS} AND r.created_ms <= @now
  AND NOT EXISTS (SELECT 1 FROM evaluations n WHERE n.started_ms >= r.created_ms))`;

/** A folded 差评 as day_figures.bad_reviews keeps it: record id, star, assessment time (true ms). */
export type FoldedBadReview = [recordId: string, satisfaction: number, assessMs: number | null];

export interface FigureOptions {
  /** The configured appeal period, to tell open from expired (default 3). */
  appealWorkingDays?: number;
  /** The holiday calendar the deadlines are counted on (default: the shipped data only). */
  calendar?: WorkingDayCalendar;
  /**
   * The platform's clock offset (server − pad): "today" and "this month" are the true CST day and
   * month, whatever the pad's clock says (an RTC that booted in 2000, decision 195).
   */
  clockOffsetMs?: number;
}

interface BadFact {
  satisfaction: number;
  assessMs: number | null;
  appealStatus: string | null;
}

/** One row per case of the matching evaluations, with the outcome the figures count. */
function factsCte(where: string): string {
  return `
  WITH facts AS (
    SELECT
      c.record_id AS recordId,
      CASE
        WHEN ${HELD_SQL} THEN 'pending'
        WHEN r.status IS NOT NULL THEN r.status
        WHEN c.outcome IS NOT NULL THEN c.outcome
        WHEN e.state = 'cancelled' THEN 'cancelled'
        ELSE 'pending'
      END AS status,
      CASE WHEN c.outcome = 'unrated' AND c.chosen_satisfaction <= 2 THEN 1 ELSE 0 END AS abandoned,
      CASE WHEN r.status IS NOT NULL THEN r.satisfaction
           WHEN c.outcome = 'rated' THEN c.chosen_satisfaction END AS satisfaction,
      COALESCE(c.chosen_ms, e.closed_ms) AS chosenMs,
      ${recordTextSql('r')} AS body
    FROM evaluations e
    JOIN evaluation_cases c ON c.evaluation_id = e.id
    LEFT JOIN records r ON r.record_id = c.record_id
    WHERE e.started_ms >= @from AND e.started_ms < @to AND ${where}
  )`;
}

/** A period: pad-clock bounds for the live rows, CST dates [fromDay, toDay) for folded ones. */
interface Period {
  from: number;
  to: number;
  fromDay: string;
  toDay: string;
}

function periodFacts(
  db: Db,
  filter: 'staff' | 'window',
  key: string,
  period: Period,
  nowMs: number,
  opts: Required<FigureOptions>,
): Figures {
  const { from, to } = period;
  const cte = factsCte(filter === 'staff' ? 'e.staff_id = @key' : 'e.window_no = @key');
  const n = db
    .prepare(
      `${cte}
       SELECT
         COUNT(*) AS started,
         COALESCE(SUM(status = 'rated'), 0) AS rated,
         COALESCE(SUM(status = 'unrated'), 0) AS unrated,
         COALESCE(SUM(status = 'unrated' AND abandoned = 1), 0) AS abandonedBad,
         COALESCE(SUM(status = 'pending'), 0) AS pending,
         COALESCE(SUM(status = 'cancelled'), 0) AS cancelled,
         COALESCE(SUM(status = 'rated' AND satisfaction >= 3), 0) AS goodCount,
         COALESCE(SUM(status = 'rated' AND satisfaction <= 2), 0) AS badCount
       FROM facts`,
    )
    .get({ key, from, to, now: nowMs }) as Counts;
  addCounts(n, foldedCounts(db, filter, key, period));
  const bad = db
    .prepare(
      `${cte}
       SELECT f.satisfaction AS satisfaction, f.chosenMs AS chosenMs, f.body AS body,
         (SELECT a.status FROM appeals a WHERE a.record_id = f.recordId ORDER BY a.submitted_ms DESC LIMIT 1) AS appealStatus
       FROM facts f WHERE f.status = 'rated' AND f.satisfaction <= 2`,
    )
    .all({ key, from, to, now: nowMs }) as Array<{
    satisfaction: number;
    chosenMs: number | null;
    body: string | null;
    appealStatus: string | null;
  }>;
  const badAppeals: AppealCounts = {
    open: 0,
    expired: 0,
    unknownCalendar: 0,
    filed: 0,
    accepted: 0,
    rejected: 0,
  };
  for (const b of bad) {
    // assessTime is true (CST) time; a pad-clock time is brought there with the offset
    const assessMs =
      (b.body !== null ? assessMsOf(b.body) : null) ??
      (b.chosenMs === null ? null : b.chosenMs + opts.clockOffsetMs);
    countAppeal(
      badAppeals,
      { satisfaction: b.satisfaction, assessMs, appealStatus: b.appealStatus },
      nowMs + opts.clockOffsetMs,
      opts,
    );
  }
  for (const f of foldedBadFacts(db, filter, key, period))
    countAppeal(badAppeals, f, nowMs + opts.clockOffsetMs, opts);
  return {
    ...n,
    coverageRate: n.started > 0 ? n.rated / n.started : null,
    unratedRate: n.started > 0 ? n.unrated / n.started : null,
    satisfactionRate: n.rated > 0 ? n.goodCount / n.rated : null,
    badAppeals,
  };
}

type Counts = Omit<Figures, 'coverageRate' | 'unratedRate' | 'satisfactionRate' | 'badAppeals'>;

/** The counts of the period's folded evaluations (day_figures, fold.ts). */
function foldedCounts(db: Db, filter: 'staff' | 'window', key: string, p: Period): Counts {
  return db
    .prepare(
      `SELECT COALESCE(SUM(started), 0) AS started, COALESCE(SUM(rated), 0) AS rated,
         COALESCE(SUM(unrated), 0) AS unrated, COALESCE(SUM(abandoned_bad), 0) AS abandonedBad,
         0 AS pending, COALESCE(SUM(cancelled), 0) AS cancelled,
         COALESCE(SUM(good), 0) AS goodCount, COALESCE(SUM(bad), 0) AS badCount
       FROM day_figures WHERE day >= @fromDay AND day < @toDay
         AND ${filter === 'staff' ? 'staff_id' : 'window_no'} = @key`,
    )
    .get({ fromDay: p.fromDay, toDay: p.toDay, key }) as Counts;
}

function addCounts(into: Counts, more: Counts): void {
  for (const k of Object.keys(into) as Array<keyof Counts>) into[k] += more[k];
}

/**
 * The 差评 of the period's folded evaluations, as the fold noted them (day_figures.bad_reviews:
 * record id, star, assessment time), each with its appeal's state: exact whatever retention has
 * since done to their records.
 */
function foldedBadFacts(db: Db, filter: 'staff' | 'window', key: string, p: Period): BadFact[] {
  const rows = db
    .prepare(
      `SELECT j.value AS fact FROM day_figures d, json_each(d.bad_reviews) j
       WHERE d.day >= @fromDay AND d.day < @toDay AND d.${filter === 'staff' ? 'staff_id' : 'window_no'} = @key`,
    )
    .all({ fromDay: p.fromDay, toDay: p.toDay, key }) as Array<{ fact: string }>;
  const appealOf = db.prepare(
    'SELECT a.status AS status FROM appeals a WHERE a.record_id = ? ORDER BY a.submitted_ms DESC LIMIT 1',
  );
  return rows.map(({ fact }) => {
    const [recordId, satisfaction, assessMs] = JSON.parse(fact) as FoldedBadReview;
    const appeal = appealOf.get(recordId) as { status: string } | undefined;
    return { satisfaction, assessMs, appealStatus: appeal?.status ?? null };
  });
}

/** The record's own assessTime decides the appeal deadline (the platform counts from it). */
export function assessMsOf(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as { assessTime?: unknown };
    return typeof parsed.assessTime === 'string' ? parseCst(parsed.assessTime) : null;
  } catch {
    return null;
  }
}

function countAppeal(a: AppealCounts, c: BadFact, nowMs: number, opts: Required<FigureOptions>): void {
  if (c.appealStatus === 'accepted' || c.appealStatus === 'duplicate') a.accepted += 1;
  else if (c.appealStatus === 'rejected') a.rejected += 1;
  else if (c.appealStatus !== null) a.filed += 1;
  else if (c.assessMs === null) a.unknownCalendar += 1;
  else {
    const check = canAppeal(
      { status: 'rated', satisfaction: c.satisfaction, assessTime: formatCst(c.assessMs) },
      nowMs,
      opts.appealWorkingDays,
      opts.calendar,
    );
    if (check.ok) a.open += 1;
    else if (check.reason === 'deadline_passed') a.expired += 1;
    else a.unknownCalendar += 1;
  }
}

function periodFigures(db: Db, filter: 'staff' | 'window', key: string, nowMs: number, opts: FigureOptions) {
  const full: Required<FigureOptions> = {
    appealWorkingDays: opts.appealWorkingDays ?? DEFAULT_APPEAL_WORKING_DAYS,
    calendar: opts.calendar ?? shippedCalendar,
    clockOffsetMs: opts.clockOffsetMs ?? 0,
  };
  // Periods are found on the true time and compared with the pad-clock times stored.
  const off = full.clockOffsetMs;
  const trueNow = nowMs + off;
  const day = cstDayStart(trueNow) - off;
  const month = cstMonthStart(trueNow) - off;
  // CST has no daylight saving: a day is 24 h; the next month starts within 32 days.
  const nextMonth = cstMonthStart(cstMonthStart(trueNow) + 32 * 86_400_000) - off;
  const today: Period = {
    from: day,
    to: day + 86_400_000,
    fromDay: cstDate(day + off),
    toDay: cstDate(day + off + 86_400_000),
  };
  const thisMonth: Period = {
    from: month,
    to: nextMonth,
    fromDay: cstDate(month + off),
    toDay: cstDate(nextMonth + off),
  };
  return {
    today: periodFacts(db, filter, key, today, nowMs, full),
    month: periodFacts(db, filter, key, thisMonth, nowMs, full),
  };
}

export function staffFigures(
  db: Db,
  staffId: string,
  nowMs: number,
  opts: FigureOptions = {},
): { today: Figures; month: Figures } {
  return periodFigures(db, 'staff', staffId, nowMs, opts);
}

export function windowFigures(
  db: Db,
  windowNo: string,
  nowMs: number,
  opts: FigureOptions = {},
): { today: Figures; month: Figures } {
  return periodFigures(db, 'window', windowNo, nowMs, opts);
}
