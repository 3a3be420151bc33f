import { z } from 'zod';
import { CalendarNotCoveredError, shippedCalendar, type WorkingDayCalendar } from './calendar.js';
import { isBadReview as isBadLevel } from './levels.js';
import type { PlatformRecord } from './record.js';
import { cstDate, parseCst } from './time.js';

/**
 * Appeals against bad reviews (docs/protocols/rules.md "Handling a bad review", docs/protocols/platform-api.md §5): allowed
 * within a configured number of working days after the rating, counted on the CST calendar.
 */

export const DEFAULT_APPEAL_WORKING_DAYS = 3;

/**
 * The last CST date on which an appeal may be filed: the rating day does not count, the
 * `workingDays`-th working day after it is the last one. Throws CalendarNotCoveredError when
 * the holiday data does not reach that far.
 */
export function appealDeadline(
  assessEpochMs: number,
  workingDays: number,
  calendar: WorkingDayCalendar = shippedCalendar,
): string {
  return calendar.addWorkingDays(cstDate(assessEpochMs), workingDays);
}

export type AppealRefusal = 'not_bad_review' | 'deadline_passed' | 'calendar_not_covered';

export type AppealCheck =
  { ok: true; deadline: string } | { ok: false; reason: AppealRefusal; deadline: string | null };

export function isBadReview(record: Pick<PlatformRecord, 'status' | 'satisfaction'>): boolean {
  return record.status === 'rated' && record.satisfaction !== undefined && isBadLevel(record.satisfaction);
}

/**
 * Whether the staff member may still appeal this record at `nowMs`. The deadline runs from
 * `assessTime` (the rating); a record without one is not a rating and never a bad review.
 */
export function canAppeal(
  record: Pick<PlatformRecord, 'status' | 'satisfaction' | 'assessTime'>,
  nowMs: number,
  workingDays: number,
  calendar: WorkingDayCalendar = shippedCalendar,
): AppealCheck {
  if (!isBadReview(record) || record.assessTime === undefined) {
    return { ok: false, reason: 'not_bad_review', deadline: null };
  }
  let deadline: string;
  try {
    deadline = appealDeadline(parseCst(record.assessTime), workingDays, calendar);
  } catch (err) {
    if (err instanceof CalendarNotCoveredError)
      return { ok: false, reason: 'calendar_not_covered', deadline: null };
    throw err;
  }
  // yyyy-MM-dd strings order like the dates they name.
  if (cstDate(nowMs) > deadline) return { ok: false, reason: 'deadline_passed', deadline };
  return { ok: true, deadline };
}

/** What a staff member submits on the pad. Trimmed first so padding cannot fake the minimum. */
export const appealRequestSchema = z
  .object({
    recordId: z.string().min(1).max(64),
    reason: z.string().trim().min(5).max(500),
  })
  .strict();
export type AppealRequest = z.infer<typeof appealRequestSchema>;

/** The upload body of docs/protocols/platform-api.md §5. */
export const platformAppealSchema = z
  .object({
    appealId: z.string().min(1).max(64),
    evaluationId: z.string().min(1).max(64),
    staffId: z.string().min(1),
    reason: z.string().trim().min(5).max(500),
    submittedTime: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  })
  .strict();
export type PlatformAppeal = z.infer<typeof platformAppealSchema>;
