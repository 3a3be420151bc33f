/** Exponential back-off with full jitter (docs/protocols/platform-api.md §2: 1 s up to 5 min). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60_000 };

/**
 * Delay before retry number `failures` (1 = after the first failure): uniform in
 * [0, min(cap, base·2^(failures−1))]. Full jitter spreads a hall's pads apart after an outage.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exp = Math.min(Math.max(failures, 1) - 1, 40);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exp);
  return Math.round(random() * ceiling);
}

/** Retry-After in seconds (or an HTTP date), as ms; null when absent or unreadable. Capped at an hour. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v.trim())) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (!Number.isFinite(at)) return null;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, Math.round(ms)), 3_600_000);
}
