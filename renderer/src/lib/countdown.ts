/** Whole seconds left before `deadlineMs` (rounded up, never negative). */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

/** 75 → "1:15", 9 → "9": elderly users read a plain number best under a minute. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return String(s);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** The last ten seconds are shown as urgent. */
export function isUrgent(seconds: number): boolean {
  return seconds <= 10;
}
