/**
 * Injectable time source: tests and the clock-skew harness substitute their own. `monotonicMs`
 * (optional) is a clock that only moves forward at a steady rate (performance.now()); a source
 * without it is taken as its own monotonic clock, i.e. its jumps are real time passing.
 */
export interface Clock {
  now(): number;
  monotonicMs?(): number;
}
export const systemClock: Clock = { now: () => Date.now(), monotonicMs: () => performance.now() };

/** A wall-clock change beyond this, against the monotonic clock, is a jump (NTP slews far less). */
export const CLOCK_JUMP_THRESHOLD_MS = 2000;

/**
 * The pad's clock: the wall clock read once at start, then advanced by the monotonic clock. A
 * wall-clock jump (an RTC that booted in 2000 and is then set, an hour back) moves neither the
 * deadlines and timeouts nor the times recorded during this run: all of them are on this one
 * steady time line. Its distance to the true time is the platform's clock offset (server − pad,
 * store/clock-offset.ts); the jump itself is reported to listeners, so records made after it carry
 * `clockUnsynced` until the platform confirms the time again.
 */
export class PadClock implements Clock {
  private readonly startWall: number;
  private readonly startMono: number;
  /** wall − pad when last looked at; a change beyond the threshold is a jump */
  private skew = 0;
  private readonly listeners = new Set<(jumpMs: number, wallMs: number) => void>();

  constructor(
    private readonly source: Clock = systemClock,
    private readonly thresholdMs = CLOCK_JUMP_THRESHOLD_MS,
  ) {
    this.startWall = source.now();
    this.startMono = this.mono();
  }

  now(): number {
    const pad = Math.floor(this.startWall + (this.mono() - this.startMono));
    this.look(pad);
    return pad;
  }

  monotonicMs(): number {
    return this.mono();
  }

  /** The operating system's clock now, for what must be written in its frame (the screen's countdown). */
  wallNow(): number {
    return this.source.now();
  }

  /** Where the operating system's clock stands against the pad's (wall − pad). */
  wallSkewMs(): number {
    return this.source.now() - this.now();
  }

  onJump(listener: (jumpMs: number, wallMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mono(): number {
    return this.source.monotonicMs ? this.source.monotonicMs() : this.source.now();
  }

  private look(pad: number): void {
    const wall = this.source.now();
    const skew = wall - pad;
    if (Math.abs(skew - this.skew) <= this.thresholdMs) return;
    const jump = skew - this.skew;
    this.skew = skew;
    for (const l of this.listeners) l(jump, wall);
  }
}
