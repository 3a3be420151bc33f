/**
 * Host side of EVB/1 (§4): finds and opens the board, keeps the link alive (HELLO/INFO, PING),
 * retransmits commands, and turns KEY events into in-order, exactly-once presses.
 */
import { FrameReader, encodeFrame, type Frame, type LineError } from './frame.js';
import { KeySequencer, type BoardPress } from './key-sequencer.js';
import { sendCommand, type CommandLink } from './driver-commands.js';
import {
  DEFAULT_TIMINGS,
  type BoardCounters,
  type BoardDriverOptions,
  type BoardStatus,
  type BoardTimings,
  type Pending,
  type Session,
} from './driver-types.js';
import * as M from './messages.js';
import { notABoard, refuseBoard } from './pairing.js';
import { nextInfo, openSession, wakeableSleep } from './driver-session.js';
import type { ByteTransport } from './transport.js';

export {
  CommandError,
  DEFAULT_TIMINGS,
  type BoardCounters,
  type BoardDriverOptions,
  type BoardStatus,
  type BoardTimings,
  type Log,
} from './driver-types.js';

export class BoardDriver {
  readonly timings: BoardTimings;
  private readonly counters: BoardCounters = {
    lineErrors: 0,
    unknownTypes: 0,
    duplicates: 0,
    lostPresses: 0,
    reconnects: 0,
    naks: 0,
    resends: 0,
  };
  private readonly seqr: KeySequencer;
  private readonly statusListeners = new Set<(s: BoardStatus) => void>();
  private readonly pending = new Map<number, Pending>();
  private readonly reader: FrameReader;
  private readonly now: () => number;
  private handler: ((p: BoardPress) => Promise<void>) | null = null;
  private state: BoardStatus['state'] = 'absent';
  private info: M.InfoMsg | null = null;
  private stuckKey = false;
  private session: Session | null = null;
  private path: string | null;
  private seq = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  /** ends the current back-off wait early (stop, a new port) */
  private readonly wake: { current: (() => void) | null } = { current: null };
  private timers: NodeJS.Timeout[] = [];
  private sessions = 0;
  private lastLeds: number[] | null = null;
  private lastDebounce: number | null = null;
  /** Seq of the newest LEDS / CONFIG frame (by type): an older one is never resent after it. */
  private readonly newestStateSeq = new Map<number, number>();
  private readonly commandLink: CommandLink;
  private lastOverflowHelloAt = -Infinity;
  /** Waiters for INFO (handshake). */
  private infoWaiters = new Set<(i: M.InfoMsg) => void>();
  private refusal: string | null = null;

  constructor(private readonly o: BoardDriverOptions) {
    this.timings = { ...DEFAULT_TIMINGS, ...o.timings };
    this.commandLink = {
      session: () => this.session,
      connected: () => this.state === 'ok',
      nextSeq: () => this.nextSeq(),
      send: (f, s) => this.sendFrame(f, s),
      pending: this.pending,
      newestStateSeq: this.newestStateSeq,
      timings: this.timings,
      countResend: () => {
        this.counters.resends++;
      },
    };
    this.path = o.path;
    this.now = o.now ?? (() => performance.now());
    this.reader = new FrameReader(
      (f) => this.onFrame(f),
      (e) => this.onLineError(e),
    );
    this.seqr = new KeySequencer({
      timings: this.timings,
      now: this.now,
      log: o.log,
      deliver: (p) =>
        this.handler ? this.handler(p) : Promise.reject(new Error('no press handler registered')),
      sendAck: (bootId, counter) => this.sendFrame(M.eventsAck(this.nextSeq(), bootId, counter)),
      unsafeAckOnReceipt: o.unsafeAckBeforeHandler ?? false,
    });
  }

  onPress(handler: (p: BoardPress) => Promise<void>): void {
    this.handler = handler;
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.timers.push(setInterval(() => this.seqr.tick(), this.timings.tickMs));
    this.loop = this.connectLoop();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.forEach((t) => clearInterval(t));
    this.timers = [];
    this.session?.end('stopped');
    this.wake.current?.();
    await this.loop;
    this.loop = null;
    this.seqr.dispose();
  }

  /** Technician port choice; null returns to discovery. Reconnects at once. */
  async selectPort(path: string | null): Promise<void> {
    this.path = path;
    this.o.log('info', 'port selected', { path });
    this.session?.end('port changed');
    this.wake.current?.();
  }

  status(): BoardStatus {
    const seqc = this.seqr.counters;
    return {
      state: this.state,
      path: this.session?.path ?? this.path,
      serial: this.info?.serial ?? null,
      firmware: this.info?.firmware ?? null,
      bootId: this.info?.bootId ?? null,
      keyCount: this.info?.keyCount ?? null,
      capabilities: this.info ? { ...this.info.capabilities } : null,
      stuckKey: this.stuckKey,
      counters: { ...this.counters, duplicates: seqc.duplicates, lostPresses: seqc.lostPresses },
      expectedSerial: this.o.pairing?.expected().serial ?? null,
      refusal: this.refusal,
    };
  }

  onStatus(l: (s: BoardStatus) => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  async setLeds(modes: M.LedMode[]): Promise<void> {
    M.validateLeds(modes);
    this.lastLeds = [...modes];
    await this.command(() => M.leds(0, modes));
  }

  async beep(freqHz: number, durationMs: number): Promise<void> {
    M.validateBeep({ freqHz, durationMs });
    await this.command(() => M.beep(0, freqHz, durationMs));
  }

  async configure(debounceMs: number): Promise<void> {
    M.validateDebounce(debounceMs);
    this.lastDebounce = debounceMs;
    await this.command(() => M.config(0, debounceMs));
  }

  // ---- connection -------------------------------------------------------------------------

  private async connectLoop(): Promise<void> {
    let backoff = this.timings.backoffInitialMs;
    while (this.running) {
      const fixed = this.path;
      if (fixed !== null && !this.o.pathExists(fixed)) {
        this.setState('absent');
        await this.sleep(this.timings.pathPollMs);
        continue;
      }
      const candidates = fixed !== null ? [fixed] : await this.o.listCandidates();
      let opened = false;
      let sessionRan = false;
      for (const path of candidates) {
        if (!this.running || this.path !== fixed) break;
        const t = this.o.openTransport(path);
        try {
          await t.open();
        } catch (err) {
          this.o.log('info', 'cannot open port', { path, error: (err as Error).message });
          continue;
        }
        opened = true;
        const s = this.attach(t, path);
        // A fixed port gets the full three tries; discovery gives each candidate one.
        const info = await this.handshake(s, fixed !== null ? this.timings.helloTries : 1);
        const refused = info ? refuseBoard(path, info.serial, this.o.pairing) : notABoard(path);
        if (info && !refused) {
          this.accept(info, path);
          sessionRan = true;
          backoff = this.timings.backoffInitialMs;
          await this.runSession(s);
          break;
        }
        s.end(info ? 'another board' : 'no INFO');
        await t.close().catch(() => undefined);
        this.refuse(refused ?? notABoard(path), { path, serial: info?.serial ?? null });
      }
      if (sessionRan || !this.running) continue;
      this.setState(opened ? 'error' : 'absent');
      await this.sleep(backoff, fixed !== null && !opened ? fixed : null);
      backoff = Math.min(backoff * 2, this.timings.backoffMaxMs);
    }
    this.setState('absent');
  }

  private attach(t: ByteTransport, path: string): Session {
    this.session = openSession(t, path, {
      reader: this.reader,
      pending: this.pending,
      log: this.o.log,
      detach: (s) => {
        if (this.session === s) this.session = null;
      },
    });
    return this.session;
  }

  private async handshake(s: Session, tries: number): Promise<M.InfoMsg | null> {
    for (let i = 0; i < tries && !s.ended && this.running; i++) {
      const got = nextInfo(this.infoWaiters, this.timings.helloTimeoutMs);
      this.sendFrame(M.hello(this.nextSeq()), s);
      const info = await got;
      if (info) return info;
    }
    return null;
  }

  private runSession(s: Session): Promise<void> {
    this.sessions++;
    if (this.sessions > 1) this.counters.reconnects++;
    this.o.log('info', 'board connected', {
      path: s.path,
      serial: this.info?.serial,
      bootId: this.info?.bootId,
      firmware: this.info?.firmware,
    });
    this.setState('ok');
    this.reapply();
    return new Promise<void>((resolve) => {
      const ping = setInterval(() => {
        if (s.ended) return;
        if (s.missedPongs >= this.timings.pingMissLimit) {
          this.o.log('warn', 'link lost: no PONG', { path: s.path, missed: s.missedPongs });
          s.end('link lost');
          return;
        }
        s.missedPongs++;
        this.sendFrame(M.ping(this.nextSeq()), s);
      }, this.timings.pingIntervalMs);
      const done = () => {
        clearInterval(ping);
        void s.t.close().catch(() => undefined);
        this.setState(this.running ? (this.o.pathExists(s.path) ? 'error' : 'absent') : 'absent');
        resolve();
      };
      if (s.ended) done();
      else s.onEnd = done;
    });
  }

  /** A rebooted or replugged board has lost its LED and debounce settings: send them again. */
  private reapply(): void {
    const leds = this.lastLeds;
    const deb = this.lastDebounce;
    if (leds) this.command(() => M.leds(0, leds)).catch(() => undefined);
    if (deb !== null) this.command(() => M.config(0, deb)).catch(() => undefined);
  }

  private sleep(ms: number, watchPath: string | null = null): Promise<void> {
    const watch = watchPath
      ? { path: watchPath, exists: (p: string) => this.o.pathExists(p), pollMs: this.timings.pathPollMs }
      : null;
    return wakeableSleep(ms, watch, this.wake);
  }

  // ---- frames -----------------------------------------------------------------------------

  private nextSeq(): number {
    this.seq = (this.seq + 1) & 0xff;
    return this.seq;
  }

  private sendFrame(f: Frame, s: Session | null = this.session): void {
    if (!s || s.ended || !s.t.isOpen) return;
    this.o.onTraffic?.('out', f);
    s.t
      .write(encodeFrame(f))
      .catch((err: unknown) => this.o.log('warn', 'write failed', { error: (err as Error).message }));
  }

  /** LEDS/BEEP/CONFIG with retransmission (driver-commands.ts). */
  private command(build: () => Frame): Promise<void> {
    return sendCommand(this.commandLink, build);
  }

  private onLineError(e: LineError): void {
    this.counters.lineErrors++;
    if (this.counters.lineErrors % 100 === 1)
      this.o.log('warn', 'line error', { error: e, total: this.counters.lineErrors });
  }

  private onFrame(f: Frame): void {
    this.o.onTraffic?.('in', f);
    try {
      switch (f.type) {
        case M.T.INFO:
          return this.onInfo(M.parseInfo(f.payload));
        case M.T.KEY: {
          const k = M.parseKey(f.payload);
          if (k.kind !== M.KEY_KIND_PRESS) return;
          // Without INFO the key has no board serial; the board resends it after the handshake.
          if (!this.info || this.state !== 'ok') return;
          this.seqr.receive(this.info.serial, k);
          return;
        }
        case M.T.PONG: {
          const p = M.parsePong(f.payload);
          if (this.session) this.session.missedPongs = 0;
          if (p.stuckKey !== this.stuckKey) {
            this.stuckKey = p.stuckKey;
            if (p.stuckKey) this.o.log('warn', 'a key is stuck down');
            this.emitStatus();
          }
          if (p.overflow && this.info) {
            this.seqr.overflowReported(this.info.serial, this.info.bootId);
            // The overflow bit stays set until the next INFO: ask for one so a later gap is judged afresh.
            if (this.now() - this.lastOverflowHelloAt > 1000) {
              this.lastOverflowHelloAt = this.now();
              this.sendFrame(M.hello(this.nextSeq()));
            }
          }
          return;
        }
        case M.T.ACK:
        case M.T.NAK: {
          if (f.type === M.T.NAK) {
            const n = M.parseNak(f.payload);
            this.counters.naks++;
            this.o.log('warn', 'NAK from board', { seq: f.seq, reason: n.reason });
          } else M.parseEmpty(f.payload, 'ACK');
          this.pending.get(f.seq)?.resolve(f);
          return;
        }
        default:
          this.counters.unknownTypes++;
      }
    } catch (err) {
      if (!(err instanceof M.PayloadError)) throw err;
      this.counters.lineErrors++;
      this.o.log('warn', 'invalid payload from board', { type: f.type, error: err.message });
    }
  }

  private onInfo(info: M.InfoMsg): void {
    this.infoWaiters.forEach((w) => w(info));
    // Before a session runs, the handshake decides whether this device is the board at all.
    if (this.state !== 'ok') return;
    if (this.info && info.serial !== this.info.serial) {
      // Another board answering on the same line mid-session: never read its keys.
      this.o.log('warn', 'another board answered mid-session', {
        serial: info.serial,
        expected: this.info.serial,
      });
      this.session?.end('another board');
      return;
    }
    this.adopt(info);
  }

  /** The handshake's INFO came from this pad's board: pair if never paired, then take it. */
  private accept(info: M.InfoMsg, path: string): void {
    if (this.o.pairing && this.o.pairing.expected().serial === null) {
      this.o.pairing.remember(info.serial);
      this.o.log('info', 'paired with board', { path, serial: info.serial });
    }
    this.refusal = null;
    this.adopt(info);
  }

  private refuse(why: string, fields: Record<string, unknown>): void {
    // Logged when the reason changes, not on every retry of a fixed port.
    if (why !== this.refusal) this.o.log('warn', 'device refused', { ...fields, why });
    this.refusal = why;
    this.emitStatus();
  }

  private adopt(info: M.InfoMsg): void {
    const prev = this.info;
    this.info = info;
    if (!prev || prev.bootId !== info.bootId || prev.serial !== info.serial) {
      if (prev && prev.serial === info.serial)
        this.o.log('info', 'board rebooted', { serial: info.serial, bootId: info.bootId });
      if (this.state === 'ok') this.reapply();
      this.emitStatus();
    }
  }

  private setState(s: BoardStatus['state']): void {
    if (s === this.state) return;
    this.state = s;
    this.emitStatus();
  }

  private emitStatus(): void {
    const st = this.status();
    for (const l of [...this.statusListeners]) {
      try {
        l(st);
      } catch (err) {
        this.o.log('error', 'status listener failed', { error: (err as Error).message });
      }
    }
  }
}
