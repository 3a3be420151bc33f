import type { Logger } from '../../domain/logger.js';
import type { Frame } from './frame.js';
import { DEFAULT_SEQUENCER_TIMINGS, type SequencerTimings } from './key-sequencer.js';
import type { BoardPairing } from './pairing.js';
import type { ByteTransport } from './transport.js';

/** The board driver's settings, status and refusals (EVB/1 §4); the behaviour is driver.ts. */

export interface BoardTimings extends SequencerTimings {
  helloTimeoutMs: number;
  helloTries: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  pingIntervalMs: number;
  pingMissLimit: number;
  commandTimeoutMs: number;
  commandTries: number;
  /** How often a vanished device node is looked for (replug must recover in < 2 s). */
  pathPollMs: number;
  tickMs: number;
}

export const DEFAULT_TIMINGS: BoardTimings = {
  ...DEFAULT_SEQUENCER_TIMINGS,
  helloTimeoutMs: 500,
  helloTries: 3,
  backoffInitialMs: 500,
  backoffMaxMs: 5000,
  pingIntervalMs: 1000,
  pingMissLimit: 3,
  commandTimeoutMs: 200,
  commandTries: 3,
  pathPollMs: 100,
  tickMs: 50,
};

export interface BoardCounters {
  lineErrors: number;
  unknownTypes: number;
  duplicates: number;
  lostPresses: number;
  reconnects: number;
  naks: number;
  resends: number;
}

export interface BoardStatus {
  state: 'ok' | 'absent' | 'error';
  path: string | null;
  serial: string | null;
  firmware: string | null;
  bootId: number | null;
  keyCount: number | null;
  capabilities: { buzzer: boolean; staffKey: boolean } | null;
  stuckKey: boolean;
  counters: BoardCounters;
  /** The serial this pad's board must report (configured or remembered), null before pairing. */
  expectedSerial: string | null;
  /** Why the last device tried was not taken as the board (wrong serial, no INFO), else null. */
  refusal: string | null;
}

/** The pad's levelled logger (src/domain/logger.ts); each message carries its own level. */
export type Log = Logger;

export interface BoardDriverOptions {
  log: Log;
  /** Fixed device path, or null to discover the board among `listCandidates()`. */
  path: string | null;
  openTransport: (path: string) => ByteTransport;
  listCandidates: () => Promise<string[]>;
  pathExists: (path: string) => boolean;
  timings?: Partial<BoardTimings>;
  now?: () => number;
  /** Every frame written ('out') or accepted ('in'), for diagnostics and tests. */
  onTraffic?: (dir: 'in' | 'out', frame: Frame) => void;
  /** TEST ONLY: acknowledge KEYs on receipt, before the handler — the bug the tests must catch. */
  unsafeAckBeforeHandler?: boolean;
  /** Which board is this pad's (pairing.ts); without it the first board answering INFO is taken. */
  pairing?: BoardPairing;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly nakReason: number | null,
  ) {
    super(message);
  }
}

/** One open port the driver talks to; ended on close, disconnect or a port change. */
export interface Session {
  t: ByteTransport;
  path: string;
  ended: boolean;
  end: (why: string) => void;
  missedPongs: number;
  onEnd?: () => void;
}

/** A command waiting for its ACK/NAK (or, ended, a frame of type -1). */
export type Pending = { resolve: (f: Frame) => void; types: number[] };
