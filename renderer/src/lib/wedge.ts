/**
 * Keyboard-wedge scanners "type" a code far faster than a person and end it with Enter. A burst
 * is: at least `minLength` printable keys, each within `maxGapMs` of the previous one, then Enter
 * within `maxGapMs` too. Anything slower is a person typing and is left alone.
 */
export interface WedgeOptions {
  maxGapMs?: number;
  minLength?: number;
}

export type WedgeResult = { kind: 'none' } | { kind: 'burst'; code: string };

export class WedgeDetector {
  private readonly maxGapMs: number;
  private readonly minLength: number;
  private buffer = '';
  private lastMs = -Infinity;

  constructor(opts: WedgeOptions = {}) {
    this.maxGapMs = opts.maxGapMs ?? 50;
    this.minLength = opts.minLength ?? 4;
  }

  /** `key` is KeyboardEvent.key; modifier and navigation keys are ignored without breaking a burst. */
  feed(key: string, atMs: number): WedgeResult {
    const gapOk = atMs - this.lastMs <= this.maxGapMs;
    if (key === 'Enter') {
      const code = this.buffer;
      const ok = gapOk && code.length >= this.minLength;
      this.reset();
      return ok ? { kind: 'burst', code } : { kind: 'none' };
    }
    if (key.length !== 1) return { kind: 'none' };
    this.buffer = gapOk ? this.buffer + key : key;
    this.lastMs = atMs;
    return { kind: 'none' };
  }

  /** true while the keys so far could still be the start of a scan */
  get inBurst(): boolean {
    return this.buffer.length >= 2;
  }

  reset(): void {
    this.buffer = '';
    this.lastMs = -Infinity;
  }
}
