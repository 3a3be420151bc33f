/**
 * A sliding one-second window per key: at most `limit` events in any 1000 ms, not per calendar
 * second (a fixed window lets 2× the limit through around its edge). Keys are bounded: the
 * oldest idle key is forgotten first.
 */
export class SlidingLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
    private readonly maxKeys = 256,
  ) {}

  /** Records an event for `key` and says whether it is within the limit. */
  take(key: string, nowMs: number): boolean {
    let list = this.events.get(key);
    if (!list) {
      if (this.events.size >= this.maxKeys) {
        const oldest = this.events.keys().next().value;
        if (oldest !== undefined) this.events.delete(oldest);
      }
      list = [];
    } else {
      this.events.delete(key); // re-inserted below: the Map's order is least recently used first
    }
    while (list.length > 0 && (list[0] as number) <= nowMs - this.windowMs) list.shift();
    const ok = list.length < this.limit;
    if (ok) list.push(nowMs);
    this.events.set(key, list);
    return ok;
  }

  /** Milliseconds until `key` may send again (for Retry-After). */
  retryAfterMs(key: string, nowMs: number): number {
    const first = this.events.get(key)?.[0];
    return first === undefined ? 0 : Math.max(0, first + this.windowMs - nowMs);
  }
}
