/** The star-key board as the core sees it: presses in, LEDs and buzzer out (EVB/1). */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import {
  BoardDriver,
  type BoardDriverOptions,
  type BoardStatus,
  type BoardTimings,
  type Log,
} from './driver.js';
import type { BoardPress } from './key-sequencer.js';
import type { LedMode } from './messages.js';
import type { BoardPairing } from './pairing.js';
import { listSerialCandidates, SerialTransport } from './serial-transport.js';
import { BoardSimulator } from './simulator.js';
import { createMemoryTransportPair } from './transport.js';

export type { BoardPress } from './key-sequencer.js';
export type { LedMode } from './messages.js';
export type { BoardStatus, BoardCounters, BoardTimings, BoardDriverOptions } from './driver.js';
export type { ByteTransport, MemoryTransportPair } from './transport.js';
export type { BoardPairing } from './pairing.js';
export type { Frame, LineError } from './frame.js';
export type { BoardSimulatorOptions, SimulatorFaults } from './simulator.js';
export { BoardDriver, CommandError, DEFAULT_TIMINGS } from './driver.js';
export { BoardSimulator } from './simulator.js';
export { SerialTransport, listSerialCandidates, STABLE_BOARD_PATH } from './serial-transport.js';
export { createMemoryTransportPair } from './transport.js';
export { FrameReader, encodeFrame, decodeFrame, frameBytes, parseFrameBytes } from './frame.js';
export { cobsEncode, cobsDecode } from './cobs.js';
export { crc16 } from './crc.js';
export * as messages from './messages.js';

export interface BoardLink {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * The handler must resolve only once the press's effect is durable (committed or deliberately
   * ignored+logged). It may be called again for the same (serial,bootId,counter) after a process
   * restart, so the core dedupes durably too.
   */
  onPress(handler: (press: BoardPress) => Promise<void>): void;
  /** LED1..LED6 */
  setLeds(modes: LedMode[]): Promise<void>;
  beep(freqHz: number, durationMs: number): Promise<void>;
  configure(debounceMs: number): Promise<void>;
  status(): BoardStatus;
  onStatus(listener: (s: BoardStatus) => void): () => void;
  /** Technician port selection; null = auto discovery. */
  selectPort(path: string | null): Promise<void>;
  listCandidatePorts(): Promise<string[]>;
}

/** Knobs beyond the core's contract: timings for fast tests, extra discovery paths, traffic taps. */
export interface BoardLinkExtras {
  timings?: Partial<BoardTimings>;
  extraPaths?: string[];
  onTraffic?: BoardDriverOptions['onTraffic'];
  /** TEST ONLY (see BoardDriverOptions). */
  unsafeAckBeforeHandler?: boolean;
}

export type BoardLinkOptions =
  | ({
      kind: 'serial';
      path: string | null;
      baudRate: number;
      log: Log;
      /** Which board is this pad's: configured or remembered serial (pairing.ts). */
      pairing?: BoardPairing;
    } & BoardLinkExtras)
  | ({ kind: 'simulated'; simulator: BoardSimulator; log: Log } & BoardLinkExtras);

const SerialOpts = z.object({
  path: z.string().min(1).nullable(),
  baudRate: z.number().int().positive(),
  extraPaths: z.array(z.string().min(1)).optional(),
});

class DriverLink implements BoardLink {
  constructor(
    private readonly d: BoardDriver,
    private readonly hooks: {
      start?: () => Promise<void>;
      stop?: () => Promise<void>;
      list: () => Promise<string[]>;
    },
  ) {}
  async start(): Promise<void> {
    await this.hooks.start?.();
    await this.d.start();
  }
  async stop(): Promise<void> {
    await this.d.stop();
    await this.hooks.stop?.();
  }
  onPress(h: (p: BoardPress) => Promise<void>): void {
    this.d.onPress(h);
  }
  setLeds(modes: LedMode[]): Promise<void> {
    return this.d.setLeds(modes);
  }
  beep(f: number, ms: number): Promise<void> {
    return this.d.beep(f, ms);
  }
  configure(ms: number): Promise<void> {
    return this.d.configure(ms);
  }
  status(): BoardStatus {
    return this.d.status();
  }
  onStatus(l: (s: BoardStatus) => void): () => void {
    return this.d.onStatus(l);
  }
  selectPort(path: string | null): Promise<void> {
    return this.d.selectPort(path);
  }
  listCandidatePorts(): Promise<string[]> {
    return this.hooks.list();
  }
}

export function createBoardLink(opts: BoardLinkOptions): BoardLink {
  const common = {
    log: opts.log,
    timings: opts.timings,
    onTraffic: opts.onTraffic,
    unsafeAckBeforeHandler: opts.unsafeAckBeforeHandler,
  };
  if (opts.kind === 'serial') {
    const o = SerialOpts.parse({ path: opts.path, baudRate: opts.baudRate, extraPaths: opts.extraPaths });
    const list = () => listSerialCandidates(o.extraPaths ?? []);
    const d = new BoardDriver({
      ...common,
      path: o.path,
      pairing: opts.pairing,
      openTransport: (p) => new SerialTransport(p, o.baudRate),
      listCandidates: list,
      pathExists: (p) => existsSync(p),
    });
    return new DriverLink(d, { list });
  }
  const sim = opts.simulator;
  const pair = createMemoryTransportPair(`sim:${sim.serial}`);
  const path = `sim:${sim.serial}`;
  const d = new BoardDriver({
    ...common,
    path,
    openTransport: () => pair.host,
    listCandidates: () => Promise.resolve([path]),
    // The "device node" of a memory cable exists while the board end is plugged in.
    pathExists: () => pair.device.isOpen,
  });
  return new DriverLink(d, {
    start: () => sim.attach(pair.device),
    stop: () => sim.stop(),
    list: () => Promise.resolve([]),
  });
}
