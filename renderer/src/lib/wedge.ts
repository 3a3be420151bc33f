/**
 * Keyboard-wedge scanners "type" a code far faster than a person and end it with Enter.
 *
 * A burst is at least `minLength` printable keys then Enter, where no gap exceeds `maxGapMs`
 * (a longer pause starts over) and the average gap is at most `maxAvgGapMs`. The lenient
 * per-key limit keeps one delayed event (a busy renderer) from cutting a scan in two — a cut scan
 * would be a wrong case number — while the average keeps even a fast typist (≈100 ms a key) out.
 */
export interface WedgeOptions {
  maxGapMs?: number;
  maxAvgGapMs?: number;
  minLength?: number;
}

export type WedgeResult = { kind: 'none' } | { kind: 'burst'; code: string };

export class WedgeDetector {
  private readonly maxGapMs: number;
  private readonly maxAvgGapMs: number;
  private readonly minLength: number;
  private buffer = '';
  private firstMs = 0;
  private lastMs = -Infinity;

  constructor(opts: WedgeOptions = {}) {
    this.maxGapMs = opts.maxGapMs ?? 120;
    this.maxAvgGapMs = opts.maxAvgGapMs ?? 40;
    this.minLength = opts.minLength ?? 4;
  }

  /** `key` is KeyboardEvent.key; modifier and navigation keys are ignored without breaking a burst. */
  feed(key: string, atMs: number): WedgeResult {
    const gapOk = atMs - this.lastMs <= this.maxGapMs;
    if (key === 'Enter') {
      const code = this.buffer;
      // n characters then Enter: n gaps from the first character to the Enter.
      const avgGap = code.length > 0 ? (atMs - this.firstMs) / code.length : Infinity;
      const ok = gapOk && code.length >= this.minLength && avgGap <= this.maxAvgGapMs;
      this.reset();
      return ok ? { kind: 'burst', code } : { kind: 'none' };
    }
    if (key.length !== 1) return { kind: 'none' };
    if (gapOk && this.buffer.length > 0) {
      this.buffer += key;
    } else {
      this.buffer = key;
      this.firstMs = atMs;
    }
    this.lastMs = atMs;
    return { kind: 'none' };
  }

  reset(): void {
    this.buffer = '';
    this.firstMs = 0;
    this.lastMs = -Infinity;
  }
}
