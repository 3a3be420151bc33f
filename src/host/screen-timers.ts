import type { Screen } from '../api/contract.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../domain/types.js';

export interface AfterglowState {
  screen: Screen;
  untilMs: number;
  evaluationId: string;
  chosen: number | null;
}

/** The thanks / unrated screen that stays for a moment after an evaluation closes. */
export class Afterglow {
  private state: AfterglowState | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    /** the moment passed: back to idle LEDs and screen */
    private readonly onEnd: () => void,
  ) {}

  current(): AfterglowState | null {
    return this.state;
  }

  show(screen: Screen, ms: number, evaluationId: string, chosen: number | null = null): void {
    this.state = { screen, untilMs: this.clock.now() + ms, evaluationId, chosen };
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.state = null;
      this.onEnd();
    }, ms);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

/** One timer for the next step deadline of the open evaluation; expiring closes it unrated. */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: {
      clock: Clock;
      log: Logger;
      nextDeadlineMs(): number | null;
      /** closes what ran out (inside the storage guard) */
      expireDue(): void;
    },
  ) {}

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.o.nextDeadlineMs();
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.o.clock.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.o.expireDue();
      } catch (err) {
        this.o.log('error', 'expiring evaluations failed', { error: (err as Error).message });
      }
      this.schedule();
    }, delay + 5);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
