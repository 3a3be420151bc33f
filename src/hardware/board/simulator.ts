/**
 * A complete EVB/1 board in TypeScript (§4, board side): the default board of `npm start` and
 * the far end of the fault tests. Runs over a memory transport or a real serial device path.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FrameReader, encodeFrame, type Frame } from './frame.js';
import * as M from './messages.js';
import { SerialTransport } from './serial-transport.js';
import type { ByteTransport } from './transport.js';
import {
  corruptBytes,
  NO_FAULTS,
  type BoardSimulatorOptions,
  type SimulatorFaults,
} from './simulator-faults.js';

export type { BoardSimulatorOptions, SimulatorFaults } from './simulator-faults.js';

interface Buffered {
  counter: number;
  key: number;
  uptimeMs: number;
  lastSentAt: number;
}

export class BoardSimulator {
  readonly serial: string;
  readonly firmware: string;
  readonly keyCount: number;
  readonly ledCount: number;
  faults: SimulatorFaults;
  /** Frames the board accepted (after any inbound corruption), for tests. */
  readonly received: Frame[] = [];
  keepReceived = false;
  readonly stats = { pressed: 0, dropped: 0, framesOut: 0, framesIn: 0, lineErrors: 0, reboots: 0 };

  private bootId = 0;
  private counter = 1;
  private bootAt = 0;
  private seq = 0;
  private buffer: Buffered[] = [];
  private overflow = false;
  private ledModes: M.LedMode[] = [];
  private flashTimers: Array<NodeJS.Timeout | null> = [];
  private debounceMs = 20;
  private lastBeep: { freqHz: number; durationMs: number; atMs: number } | null = null;
  private heldSince: number | null = null;
  private silent = false;
  private held: Uint8Array | null = null;
  private transport: ByteTransport | null = null;
  private offs: Array<() => void> = [];
  private resendTimer: NodeJS.Timeout | null = null;
  private serialPath: { path: string; baudRate: number } | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly reader: FrameReader;
  private readonly random: () => number;
  private readonly bufferSize: number;
  private readonly resendMs: number;
  private readonly caps: { buzzer: boolean; staffKey: boolean };
  private ledListeners = new Set<(modes: readonly M.LedMode[]) => void>();
  private beepListeners = new Set<(beep: { freqHz: number; durationMs: number }) => void>();

  private readonly ackListeners = new Set<(ack: { bootId: number; counter: number }) => void>();

  constructor(o: BoardSimulatorOptions = {}) {
    this.serial = (o.serial ?? 'SIM00001').slice(0, 8);
    this.firmware = o.firmware ?? 'sim-1.0.0';
    this.caps = { buzzer: o.buzzer ?? true, staffKey: o.staffKey ?? true };
    this.keyCount = o.keyCount ?? (this.caps.staffKey ? 6 : 5);
    this.ledCount = o.ledCount ?? 6;
    this.bufferSize = Math.max(32, o.bufferSize ?? 32);
    this.resendMs = o.resendMs ?? 250;
    this.faults = { ...NO_FAULTS, ...o.faults };
    this.random = o.random ?? Math.random;
    this.reader = new FrameReader(
      (f) => this.onFrame(f),
      () => this.stats.lineErrors++,
    );
    this.powerUp();
  }

  // ---- wiring -----------------------------------------------------------------------------

  /** Connects the board to a transport it owns from now on (e.g. a memory pair's device end). */
  async attach(t: ByteTransport): Promise<void> {
    this.stopped = false;
    this.detachTransport();
    this.transport = t;
    this.offs.push(t.onData((chunk) => this.onBytes(chunk)));
    this.offs.push(
      t.onClose(() => {
        if (this.serialPath) this.scheduleReconnect();
      }),
    );
    if (!t.isOpen) await t.open();
    this.startResend();
    this.sendInfo(this.nextSeq());
  }

  /**
   * Runs the board on a serial device path (e.g. one end of a socat pty pair). If the device
   * vanishes the board keeps running and reopens the path when it is back, like a board whose
   * cable was pulled.
   */
  async connectSerial(path: string, baudRate = 115200): Promise<void> {
    this.serialPath = { path, baudRate };
    this.stopped = false;
    await this.attach(new SerialTransport(path, baudRate));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.serialPath = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.resendTimer = null;
    this.flashTimers.forEach((t) => t && clearTimeout(t));
    const t = this.transport;
    this.detachTransport();
    await t?.close();
  }

  private detachTransport(): void {
    this.offs.forEach((f) => f());
    this.offs = [];
    this.transport = null;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer || !this.serialPath) return;
    const { path, baudRate } = this.serialPath;
    const attempt = () => {
      this.reconnectTimer = null;
      if (this.stopped || this.silent) return this.scheduleReconnectLater();
      if (!existsSync(path)) return this.scheduleReconnectLater();
      const t = new SerialTransport(path, baudRate);
      t.open().then(
        () => {
          if (this.stopped) return void t.close();
          this.detachTransport();
          this.transport = t;
          this.offs.push(t.onData((chunk) => this.onBytes(chunk)));
          this.offs.push(t.onClose(() => this.scheduleReconnect()));
        },
        () => this.scheduleReconnectLater(),
      );
    };
    this.reconnectTimer = setTimeout(attempt, 0);
  }

  private scheduleReconnectLater(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.scheduleReconnect();
    }, 50);
  }

  // ---- knobs ------------------------------------------------------------------------------

  /** One debounced physical press of key 1–6; returns its counter (buffered if the cable is out). */
  press(key: number): number {
    if (!Number.isInteger(key) || key < 1 || key > this.keyCount)
      throw new RangeError(`key ${key} is not on this board (1–${this.keyCount})`);
    const e: Buffered = { counter: this.counter++, key, uptimeMs: this.uptime(), lastSentAt: -Infinity };
    if (this.buffer.length >= this.bufferSize) {
      this.buffer.shift();
      this.overflow = true;
      this.stats.dropped++;
    }
    this.buffer.push(e);
    this.stats.pressed++;
    this.sendKey(e);
    return e.counter;
  }

  /** Power cycle: new boot id, counter back to 1, buffer and LEDs cleared, INFO unprompted. */
  reboot(): void {
    this.stats.reboots++;
    this.powerUp();
    this.sendInfo(this.nextSeq());
  }

  /** Cable out: the board stops answering; on a serial path its port is closed too. */
  async unplug(): Promise<void> {
    this.silent = true;
    if (this.transport && this.transport.isOpen && !this.serialPath) await this.transport.close();
    else if (this.transport && this.serialPath) {
      const t = this.transport;
      this.detachTransport();
      await t.close();
    }
  }

  async replug(): Promise<void> {
    this.silent = false;
    if (this.serialPath) this.scheduleReconnect();
    else if (this.transport && !this.transport.isOpen) await this.transport.open();
  }

  /** Hold a key down (a stuck key): PONG bit0 after 10 s. */
  holdKey(down: boolean): void {
    this.heldSince = down ? this.uptime() : null;
  }

  setFaults(f: Partial<SimulatorFaults>): void {
    this.faults = { ...this.faults, ...f };
  }

  // ---- observable state -------------------------------------------------------------------

  leds(): readonly M.LedMode[] {
    return this.ledModes;
  }
  /** Every EVENTS_ACK the board receives, as it arrives (tests hold the host to its order). */
  onEventsAck(l: (ack: { bootId: number; counter: number }) => void): () => void {
    this.ackListeners.add(l);
    return () => this.ackListeners.delete(l);
  }

  onLeds(l: (modes: readonly M.LedMode[]) => void): () => void {
    this.ledListeners.add(l);
    return () => this.ledListeners.delete(l);
  }
  /** Every BEEP the board sounds (a resent BEEP sounds again, as on a real board). */
  onBeep(l: (beep: { freqHz: number; durationMs: number }) => void): () => void {
    this.beepListeners.add(l);
    return () => this.beepListeners.delete(l);
  }
  buzzer(): { freqHz: number; durationMs: number; atMs: number } | null {
    return this.lastBeep;
  }
  state(): {
    bootId: number;
    nextCounter: number;
    pending: number[];
    overflow: boolean;
    debounceMs: number;
    connected: boolean;
  } {
    return {
      bootId: this.bootId,
      nextCounter: this.counter,
      pending: this.buffer.map((e) => e.counter),
      overflow: this.overflow,
      debounceMs: this.debounceMs,
      connected: !this.silent && (this.transport?.isOpen ?? false),
    };
  }

  // ---- board behaviour --------------------------------------------------------------------

  private powerUp(): void {
    this.bootId = randomInt(1, 0x1_0000_0000 - 1);
    this.counter = 1;
    this.bootAt = performance.now();
    this.buffer = [];
    this.overflow = false;
    this.flashTimers.forEach((t) => t && clearTimeout(t));
    this.flashTimers = [];
    this.setLedModes(new Array<M.LedMode>(this.ledCount).fill(0));
    this.debounceMs = 20;
  }

  private uptime(): number {
    return Math.floor(performance.now() - this.bootAt) >>> 0;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) & 0xff;
    return this.seq;
  }

  private startResend(): void {
    if (this.resendTimer) return;
    this.resendTimer = setInterval(() => {
      const now = performance.now();
      // Oldest first, each at most once per resend period.
      for (const e of this.buffer) if (now - e.lastSentAt >= this.resendMs - 5) this.sendKey(e);
    }, this.resendMs / 5);
  }

  private sendKey(e: Buffered): void {
    e.lastSentAt = performance.now();
    this.send(
      M.key(this.nextSeq(), {
        bootId: this.bootId,
        counter: e.counter,
        key: e.key,
        kind: M.KEY_KIND_PRESS,
        uptimeMs: e.uptimeMs,
      }),
    );
  }

  private sendInfo(seq: number): void {
    this.overflow = false;
    this.send(
      M.info(seq, {
        protocolVersion: 1,
        keyCount: this.keyCount,
        ledCount: this.ledCount,
        capabilities: this.caps,
        serial: this.serial,
        bootId: this.bootId,
        firmware: this.firmware,
      }),
    );
  }

  private send(f: Frame): void {
    const t = this.transport;
    if (this.silent || !t || !t.isOpen) return;
    const r = this.random;
    if (r() < this.faults.dropFrame) return;
    let bytes = encodeFrame(f);
    if (this.faults.corruptOutByte > 0) bytes = corruptBytes(bytes, this.faults.corruptOutByte, this.random);
    const out: Uint8Array[] = [];
    if (this.held) {
      // Reordered: the held frame goes after this one.
      out.push(bytes, this.held);
      this.held = null;
    } else if (r() < this.faults.reorderFrame) {
      this.held = bytes;
      return;
    } else out.push(bytes);
    if (r() < this.faults.duplicateFrame) out.push(bytes);
    this.stats.framesOut += out.length;
    for (const b of out) t.write(b).catch(() => undefined);
  }

  private onBytes(chunk: Uint8Array): void {
    if (this.silent) return;
    this.reader.push(
      this.faults.corruptInByte > 0 ? corruptBytes(chunk, this.faults.corruptInByte, this.random) : chunk,
    );
  }

  private onFrame(f: Frame): void {
    this.stats.framesIn++;
    if (this.keepReceived) this.received.push(f);
    try {
      switch (f.type) {
        case M.T.HELLO:
          M.parseEmpty(f.payload, 'HELLO');
          return this.sendInfo(f.seq);
        case M.T.PING:
          M.parseEmpty(f.payload, 'PING');
          return this.send(
            M.pong(f.seq, {
              uptimeMs: this.uptime(),
              stuckKey: this.heldSince !== null && this.uptime() - this.heldSince > 10_000,
              overflow: this.overflow,
            }),
          );
        case M.T.LEDS: {
          const modes = M.parseLeds(f.payload);
          this.applyLeds(modes);
          return this.send(M.ack(f.seq));
        }
        case M.T.BEEP: {
          const b = M.parseBeep(f.payload);
          this.lastBeep = { ...b, atMs: this.uptime() };
          for (const l of this.beepListeners) l(b);
          return this.send(M.ack(f.seq));
        }
        case M.T.CONFIG:
          this.debounceMs = M.parseConfig(f.payload).debounceMs;
          return this.send(M.ack(f.seq));
        case M.T.EVENTS_ACK: {
          const a = M.parseEventsAck(f.payload);
          if (a.bootId === this.bootId) this.buffer = this.buffer.filter((e) => e.counter > a.counter);
          for (const l of this.ackListeners) l(a);
          return;
        }
        default:
          return this.send(M.nak(f.seq, M.NAK_REASON.UNKNOWN_TYPE));
      }
    } catch (err) {
      if (!(err instanceof M.PayloadError)) throw err;
      this.send(M.nak(f.seq, err.reason));
    }
  }

  private applyLeds(modes: M.LedMode[]): void {
    const next = [...this.ledModes];
    modes.slice(0, this.ledCount).forEach((m, i) => {
      next[i] = m;
      const old = this.flashTimers[i];
      if (old) clearTimeout(old);
      this.flashTimers[i] = null;
      if (m === 4) {
        // Flash once: 200 ms on, then off.
        this.flashTimers[i] = setTimeout(() => {
          this.flashTimers[i] = null;
          const after = [...this.ledModes];
          after[i] = 0;
          this.setLedModes(after);
        }, 200);
      }
    });
    this.setLedModes(next);
  }

  private setLedModes(modes: M.LedMode[]): void {
    this.ledModes = modes;
    for (const l of [...this.ledListeners]) l(modes);
  }
}
