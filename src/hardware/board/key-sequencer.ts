/**
 * KEY events → presses for the core (EVB/1 §4, host side): each (serial, boot id, counter) acted
 * on once, in counter order, and EVENTS_ACK only for what the core has made durable.
 */
import type { Logger } from '../../domain/logger.js';
import type { KeyMsg } from './messages.js';

export interface BoardPress {
  serial: string;
  bootId: number;
  counter: number;
  key: number;
  uptimeMs: number;
  receivedAtMs: number;
}

export interface SequencerTimings {
  /** A later press waits this long for a missing earlier one before it is delivered anyway. */
  reorderWaitMs: number;
  /** A missing counter is given up after this long while later ones arrived. */
  gapGiveUpMs: number;
  /** With PONG bit1 (overflow), a gap at least this old is given up (the board resends every 250 ms). */
  overflowGraceMs: number;
  /** First sight of a boot that does not start at counter 1: collect resends this long to find the oldest unacknowledged counter. */
  baselineSettleMs: number;
  /** A handler that failed is retried after this long (the press is not acknowledged meanwhile). */
  retryFailedMs: number;
}

export const DEFAULT_SEQUENCER_TIMINGS: SequencerTimings = {
  reorderWaitMs: 1000,
  gapGiveUpMs: 5000,
  overflowGraceMs: 300,
  baselineSettleMs: 600,
  retryFailedMs: 1000,
};

export interface SequencerCounters {
  duplicates: number;
  lostPresses: number;
  latePresses: number;
  handlerFailures: number;
}

interface Stream {
  serial: string;
  bootId: number;
  firstSeenAt: number;
  /** Highest c with 1..c durable or given up; null until the baseline is known. */
  acked: number | null;
  maxSeen: number;
  /** Arrived, not yet handed to the handler. */
  waiting: Map<number, { press: BoardPress; retryAt: number }>;
  /** Handed to the handler (in flight or durable), above `acked`. */
  delivered: Set<number>;
  /** Durable or given up, above `acked`. */
  done: Set<number>;
  /** Given up as lost; if one arrives after all, it is a late press, not a duplicate. */
  givenUp: Set<number>;
  /** Missing counter → when a later counter was first seen without it. */
  gapSince: Map<number, number>;
  /** Highest counter handed to the handler, for telling late presses apart. */
  highestDelivered: number;
  lastAckSentAt: number;
}

const MAX_GAP_SCAN = 4096;
const STREAMS_KEPT_PER_SERIAL = 4;

export interface SequencerOptions {
  timings?: Partial<SequencerTimings>;
  now: () => number;
  log: Logger;
  deliver: (press: BoardPress) => Promise<void>;
  sendAck: (bootId: number, counter: number) => void;
  /** TEST ONLY: the broken behaviour §4 forbids, so tests can show their checks catch it. */
  unsafeAckOnReceipt?: boolean;
}

export class KeySequencer {
  readonly counters: SequencerCounters = {
    duplicates: 0,
    lostPresses: 0,
    latePresses: 0,
    handlerFailures: 0,
  };
  private readonly t: SequencerTimings;
  private readonly streams = new Map<string, Stream>();
  private busy = false;
  private disposed = false;

  constructor(private readonly o: SequencerOptions) {
    this.t = { ...DEFAULT_SEQUENCER_TIMINGS, ...o.timings };
  }

  receive(serial: string, m: KeyMsg): void {
    const now = this.o.now();
    const s = this.stream(serial, m.bootId, m.counter, now);
    const c = m.counter;
    if (this.o.unsafeAckOnReceipt) this.o.sendAck(m.bootId, c);
    const handled = (s.acked !== null && c <= s.acked && !s.givenUp.has(c)) || s.delivered.has(c);
    if (handled || s.waiting.has(c)) {
      this.counters.duplicates++;
      // A resend of something already acknowledged means our EVENTS_ACK was lost: repeat it.
      if (s.acked !== null && c <= s.acked && now - s.lastAckSentAt >= 50) this.ack(s, now);
      return;
    }
    s.givenUp.delete(c);
    s.gapSince.delete(c);
    s.waiting.set(c, {
      press: { serial, bootId: m.bootId, counter: c, key: m.key, uptimeMs: m.uptimeMs, receivedAtMs: now },
      retryAt: 0,
    });
    if (c > s.maxSeen) {
      const from = Math.max(s.maxSeen + 1, (s.acked ?? 0) + 1, c - MAX_GAP_SCAN);
      for (let g = from; g < c; g++)
        if (!s.waiting.has(g) && !s.delivered.has(g) && !s.done.has(g)) s.gapSince.set(g, now);
      s.maxSeen = c;
    }
    this.pump();
  }

  /** PONG bit1: the board dropped its oldest events. Returns how many counters were given up. */
  overflowReported(serial: string, bootId: number): number {
    const s = this.streams.get(`${serial}/${bootId}`);
    if (!s) return 0;
    const n = this.giveUp(s, this.t.overflowGraceMs, 'board event buffer overflowed');
    this.pump();
    return n;
  }

  /** Runs the timers: reorder waits, baselines, gap give-ups, failed-handler retries. */
  tick(): void {
    for (const s of this.streams.values())
      this.giveUp(s, this.t.gapGiveUpMs, 'not resent within the give-up time');
    this.pump();
  }

  /** Counters of the stream still waiting or in flight (for status and tests). */
  outstanding(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.waiting.size + s.gapSince.size;
    return n;
  }

  dispose(): void {
    this.disposed = true;
  }

  private stream(serial: string, bootId: number, counter: number, now: number): Stream {
    const id = `${serial}/${bootId}`;
    let s = this.streams.get(id);
    if (!s) {
      s = {
        serial,
        bootId,
        firstSeenAt: now,
        // A boot seen from counter 1 has nothing before it; otherwise earlier counters may have
        // been acknowledged by an earlier run of the pad — wait for the board's resends to show
        // the oldest one it still holds.
        acked: counter === 1 ? 0 : null,
        maxSeen: counter === 1 ? 0 : counter - 1,
        waiting: new Map(),
        delivered: new Set(),
        done: new Set(),
        givenUp: new Set(),
        gapSince: new Map(),
        highestDelivered: 0,
        lastAckSentAt: -Infinity,
      };
      this.streams.set(id, s);
      const same = [...this.streams.values()].filter((x) => x.serial === serial);
      for (const old of same.slice(0, Math.max(0, same.length - STREAMS_KEPT_PER_SERIAL))) {
        if (old.waiting.size === 0 && old.delivered.size === 0)
          this.streams.delete(`${old.serial}/${old.bootId}`);
      }
    }
    return s;
  }

  private settleBaseline(s: Stream, now: number): void {
    if (s.acked !== null || now - s.firstSeenAt < this.t.baselineSettleMs) return;
    const min = Math.min(...s.waiting.keys());
    s.acked = Number.isFinite(min) ? min - 1 : s.maxSeen;
    s.highestDelivered = s.acked;
    for (const g of [...s.gapSince.keys()]) if (g <= s.acked) s.gapSince.delete(g);
    this.o.log('info', 'key stream joined mid-boot', {
      serial: s.serial,
      bootId: s.bootId,
      firstCounter: s.acked + 1,
    });
  }

  private giveUp(s: Stream, minAgeMs: number, why: string): number {
    if (s.acked === null) return 0;
    const now = this.o.now();
    const lost: number[] = [];
    for (const [c, since] of s.gapSince) {
      if (now - since >= minAgeMs) {
        s.gapSince.delete(c);
        s.givenUp.add(c);
        s.done.add(c);
        lost.push(c);
      }
    }
    if (lost.length === 0) return 0;
    lost.sort((a, b) => a - b);
    this.counters.lostPresses += lost.length;
    this.o.log('error', 'presses lost', { serial: s.serial, bootId: s.bootId, counters: lost, reason: why });
    this.advance(s, now);
    return lost.length;
  }

  /** The next press the handler may see: the oldest arrived one, once every gap below it has waited long enough. */
  private next(now: number): { s: Stream; c: number } | null {
    let best: { s: Stream; c: number; at: number } | null = null;
    for (const s of this.streams.values()) {
      this.settleBaseline(s, now);
      if (s.acked === null || s.waiting.size === 0) continue;
      const c = Math.min(...s.waiting.keys());
      const w = s.waiting.get(c)!;
      if (w.retryAt > now) continue;
      let blocked = false;
      for (const [g, since] of s.gapSince) if (g < c && now - since < this.t.reorderWaitMs) blocked = true;
      if (blocked) continue;
      if (!best || w.press.receivedAtMs < best.at) best = { s, c, at: w.press.receivedAtMs };
    }
    return best;
  }

  private pump(): void {
    if (this.busy || this.disposed) return;
    const now = this.o.now();
    const n = this.next(now);
    if (!n) return;
    const { s, c } = n;
    const press = s.waiting.get(c)!.press;
    s.waiting.delete(c);
    s.delivered.add(c);
    if (c < s.highestDelivered) {
      this.counters.latePresses++;
      this.o.log('warn', 'late press (an earlier gap was passed over)', {
        serial: s.serial,
        bootId: s.bootId,
        counter: c,
      });
    }
    s.highestDelivered = Math.max(s.highestDelivered, c);
    this.busy = true;
    let p: Promise<void>;
    try {
      p = this.o.deliver(press);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      () => {
        // A late press below the acknowledged mark needs no acknowledgement of its own.
        if (s.acked !== null && c <= s.acked) s.delivered.delete(c);
        else s.done.add(c);
        this.advance(s, this.o.now());
      },
      (err: unknown) => {
        // Not durable, so not acknowledged; try again later, still in order.
        this.counters.handlerFailures++;
        s.delivered.delete(c);
        s.waiting.set(c, { press, retryAt: this.o.now() + this.t.retryFailedMs });
        this.o.log('warn', 'press handler failed; will retry', {
          serial: s.serial,
          bootId: s.bootId,
          counter: c,
          error: String((err as Error)?.message ?? err),
        });
      },
    ).finally(() => {
      this.busy = false;
      this.pump();
    });
  }

  private advance(s: Stream, now: number): void {
    if (s.acked === null) return;
    const before = s.acked;
    while (s.done.has(s.acked + 1)) {
      s.acked++;
      s.done.delete(s.acked);
      s.delivered.delete(s.acked);
    }
    if (s.givenUp.size > 1024) s.givenUp.delete(Math.min(...s.givenUp));
    if (s.acked !== before) this.ack(s, now);
  }

  private ack(s: Stream, now: number): void {
    if (s.acked === null || s.acked === 0) return;
    s.lastAckSentAt = now;
    this.o.sendAck(s.bootId, s.acked);
  }
}
