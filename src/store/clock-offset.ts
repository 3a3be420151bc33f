import { PadClock, type Clock } from '../domain/clock.js';
import { getMeta, setMeta, type Db } from './db.js';

const META_KEY = 'clock_offset_ms';
/** Writes to meta only when the estimate moved this much: every response updates it. */
const PERSIST_STEP_MS = 1000;
/** A sample from a slow round trip is only trusted when it disagrees by more than its own uncertainty. */
const TRUSTED_RTT_MS = 4000;

/**
 * The pad's estimate of (server time − pad time), from every response's X-HCP-Server-Time
 * (docs/protocols/platform-api.md §1). Persisted so a pad with a wrong RTC signs correctly from its first
 * request after a restart.
 */
export class ClockOffset {
  private offset: number;
  private persisted: number;
  /** The platform told the time since this start, and the wall clock has not jumped since. */
  private synced = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    const stored = Number(getMeta(db, META_KEY) ?? '0');
    this.offset = Number.isFinite(stored) ? Math.round(stored) : 0;
    this.persisted = this.offset;
    if (clock instanceof PadClock) clock.onJump((_jump, wallMs) => this.wallJumped(wallMs));
  }

  offsetMs(): number {
    return this.offset;
  }

  /**
   * True while the pad's idea of the time is not confirmed: since this start no answer of the
   * platform told the time (the stored offset belongs to the clock of an earlier start, and an RTC
   * may have died meanwhile), or the wall clock jumped since the platform last did. Records made
   * then carry `clockUnsynced` (docs/protocols/platform-api.md, this project's extension).
   */
  unsynced(): boolean {
    return !this.synced;
  }

  /**
   * The operating system's clock jumped (set by hand, by NTP, an RTC corrected). The pad's own
   * time line did not move (domain/clock.ts). Without the platform's word since this start, the
   * new wall clock is the best estimate of the true time there is: the offset follows it. With
   * it, the platform's offset stays (it is measured on the pad's steady time line, which did not
   * jump). Either way the time is unconfirmed until the platform answers again.
   */
  wallJumped(wallMs: number): void {
    if (!this.synced) this.offset = Math.round(wallMs - this.clock.now());
    this.synced = false;
  }

  correctedNow(): number {
    return this.clock.now() + this.offset;
  }

  /**
   * One observation: the server said `serverTimeMs` while the request was in flight between
   * `sentMs` and `receivedMs` (pad clock). Returns true when the estimate changed.
   */
  observe(serverTimeMs: number, sentMs: number, receivedMs: number): boolean {
    if (!Number.isFinite(serverTimeMs) || serverTimeMs <= 0) return false;
    const rtt = Math.max(0, receivedMs - sentMs);
    const sample = Math.round(serverTimeMs - (sentMs + rtt / 2));
    if (rtt > TRUSTED_RTT_MS && Math.abs(sample - this.offset) <= rtt / 2) {
      this.synced = true; // the estimate agrees within the sample's own uncertainty
      return false;
    }
    this.synced = true;
    if (sample === this.offset) return false;
    this.offset = sample;
    if (Math.abs(this.offset - this.persisted) >= PERSIST_STEP_MS) {
      try {
        setMeta(this.db, META_KEY, String(this.offset));
        this.persisted = this.offset;
      } catch {
        // A busy or full disk must not break the request path; the next response tries again.
      }
    }
    return true;
  }
}
