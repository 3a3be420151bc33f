/**
 * When a staff member cancels "unusually often" (domain.md 三(一)): cancelling is for mistakes and
 * citizens who left, and a pattern of it can hide evaluations that were going badly. The rule
 * looks back over a few hours of that staff member's own work, so one bad morning of wrong case
 * numbers shows, and a single cancel in a quiet hour does not.
 *
 * frequent_cancel: within the `windowMs` up to and including this cancellation, the staff member
 * cancelled at least `minCancels` evaluations AND cancellations are at least `minShare` of the
 * evaluations they started in that time (this one included).
 */
export const FREQUENT_CANCEL_POLICY = {
  windowMs: 4 * 3600_000,
  minCancels: 3,
  minShare: 0.25,
} as const;

export type FrequentCancelPolicy = typeof FREQUENT_CANCEL_POLICY;

export function isFrequentCancel(
  counts: { cancelled: number; started: number },
  policy: { minCancels: number; minShare: number } = FREQUENT_CANCEL_POLICY,
): boolean {
  if (counts.started <= 0) return false;
  return counts.cancelled >= policy.minCancels && counts.cancelled / counts.started >= policy.minShare;
}
