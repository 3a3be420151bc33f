/** Platform times are `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8), whatever the pad's zone. */
const CST_OFFSET_MS = 8 * 3600_000;

export function formatCst(epochMs: number): string {
  const d = new Date(epochMs + CST_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}

/** The CST calendar date (yyyy-MM-dd) of an instant. */
export function cstDate(epochMs: number): string {
  return formatCst(epochMs).slice(0, 10);
}

export function parseCst(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a yyyy-MM-dd HH:mm:ss time: ${text}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
}

/** Start of the CST day and month containing an instant, as epoch ms (for "today"/"this month" figures). */
export function cstDayStart(epochMs: number): number {
  const d = new Date(epochMs + CST_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - CST_OFFSET_MS;
}
export function cstMonthStart(epochMs: number): number {
  const d = new Date(epochMs + CST_OFFSET_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - CST_OFFSET_MS;
}

/**
 * Start of the CST month before the one containing an instant: how far back the pad keeps an
 * evaluation's working rows at the least (retention.ts) and the staff member's recent list looks.
 */
export function cstLastMonthStart(epochMs: number): number {
  return cstMonthStart(cstMonthStart(epochMs) - 1);
}
