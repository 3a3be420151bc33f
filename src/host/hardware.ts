import { join } from 'node:path';
import {
  createBoardLink,
  BoardSimulator,
  type BoardLink,
  type BoardPairing,
  type BoardStatus,
  type LedMode,
} from '../hardware/board/index.js';
import { createPrinter, type PrinterStatus, type ReceiptPrinter } from '../hardware/printer/index.js';
import { printerConfigFromSettings } from '../hardware/printer/settings.js';
import type { KioskConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { childLogger } from '../domain/logger.js';
import type { EvaluationService, CommittedChange } from '../service/evaluations.js';
import type { StaffService } from '../service/staff.js';
import type { KioskEvents } from '../api/contract.js';
import { voiceActive } from '../api/citizen.js';
import type { KioskLogger } from './log.js';
import { boardPattern, PRESS_BEEP, type BoardPattern, type BoardStep } from './board-patterns.js';

/** What the hardware needs of the rest of the pad. */
export interface HardwareDeps {
  config: Pick<KioskConfig, 'board' | 'printer' | 'citizen'>;
  clock: Clock;
  dataDir: string;
  /** the app's shipped receipt fonts (assets/receipt) */
  fontDir: string;
  log: KioskLogger['write'];
  evaluations: Pick<EvaluationService, 'press' | 'openEvaluation'>;
  staff: Pick<StaffService, 'status'>;
  emitBoardKey(key: KioskEvents['boardKey']): void;
  notice(level: 'warn', text: string, audience: 'staff' | 'tech'): void;
  /** the star the citizen chose at the reasons step (it stays lit), or null */
  chosenStar(): number | null;
  /** something the screen shows changed */
  changed(): void;
  /** runs a write; a storage fault becomes the storage answer (host/storage-health.ts) */
  guardStorage<T>(write: () => T): T;
  /** the board serial remembered at first pairing (decision 132) */
  pairedBoard: { get(): string | null; remember(serial: string): void };
}

/**
 * The pad's hardware at the window: the star-key board and the receipt printer. Either may be
 * missing; the touch screen keeps working and only staff and technician are told.
 */
export class HardwareBridge {
  board: BoardLink | null = null;
  simulator: BoardSimulator | null = null;
  printer: ReceiptPrinter | null = null;
  private ledTimer: NodeJS.Timeout | null = null;
  private lastBoardState: BoardStatus['state'] | null = null;
  private lastRefusal: string | null = null;
  private lastPrinterState: string | null = null;
  /** a part is being replaced in place: its start-up states are not alarms */
  private restarting = false;

  constructor(private readonly deps: HardwareDeps) {}

  /** The board as configured now (the technician may change its kind in place). */
  get simulated(): boolean {
    return this.deps.config.board.kind === 'simulated';
  }

  async start(): Promise<void> {
    await this.startBoard();
    await this.startPrinter();
  }

  /**
   * The board's settings changed: close its port, open the new one. The open evaluation lives in
   * the database, not in the driver, so it stays open and the new board rates it; its LEDs are
   * put back as the step wants them.
   */
  async restartBoard(): Promise<void> {
    const old = this.board;
    this.board = null;
    this.simulator = null;
    this.lastBoardState = null;
    this.lastRefusal = null;
    this.restarting = true;
    try {
      await old?.stop();
      await this.startBoard();
      // The new link's first moments (opening, INFO) are no alarm; a board still not there is.
      const end = Date.now() + 3000;
      while (this.boardState() !== 'ok' && Date.now() < end && this.boardConfigured()) await sleep(100);
    } finally {
      this.restarting = false;
    }
    const now = this.boardConfigured() ? this.boardStatus() : null;
    if (now && now.state !== 'ok') {
      this.deps.notice('warn', now.refusal ?? `评价器未连接 / evaluator board ${now.state}`, 'tech');
    }
    this.showCurrentStep();
    this.deps.changed();
  }

  /**
   * The printer's settings changed. The old printer's stop lets a queued receipt finish first
   * (decision 160), then the new one opens.
   */
  async restartPrinter(): Promise<void> {
    const old = this.printer;
    this.printer = null;
    this.lastPrinterState = null;
    this.restarting = true;
    try {
      await old?.stop();
      await this.startPrinter();
    } finally {
      this.restarting = false;
    }
    this.deps.changed();
  }

  private async startBoard(): Promise<void> {
    const { config, log } = this.deps;
    const boardLog = childLogger(log, 'board');
    if (config.board.kind === 'simulated') {
      this.simulator = new BoardSimulator({ serial: 'SIM00012' });
      this.board = createBoardLink({ kind: 'simulated', simulator: this.simulator, log: boardLog });
    } else if (config.board.kind === 'serial') {
      this.board = createBoardLink({
        kind: 'serial',
        path: config.board.path,
        baudRate: config.board.baudRate,
        log: boardLog,
        pairing: boardPairing(config.board.serialNumber, this.deps.pairedBoard),
      });
    }
    if (this.board) {
      this.board.onPress(async (press) => {
        this.deps.emitBoardKey({ key: press.key, counter: press.counter, atMs: press.receivedAtMs });
        // Synchronous commit inside: when this returns, the press's effect is durable and the
        // driver may send EVENTS_ACK.
        // A press that could not be stored throws: the event stays unacknowledged and the board resends.
        this.deps.guardStorage(() =>
          this.deps.evaluations.press({
            source: 'key',
            key: press.key,
            board: { serial: press.serial, bootId: press.bootId, counter: press.counter },
          }),
        );
      });
      const link = this.board;
      link.onStatus((s) => {
        // A board being replaced (technician's 设置) is no alarm.
        if (this.board !== link) return;
        if (s.state !== this.lastBoardState || (s.refusal && s.refusal !== this.lastRefusal)) {
          this.lastBoardState = s.state;
          this.lastRefusal = s.refusal;
          if (s.state !== 'ok' && !this.restarting)
            this.deps.notice('warn', s.refusal ?? `评价器未连接 / evaluator board ${s.state}`, 'tech');
          else this.applyIdleLeds();
          this.deps.changed();
        }
      });
      await this.board.start();
    }
  }

  private async startPrinter(): Promise<void> {
    const { config, log } = this.deps;
    const printerConfig = printerConfigFromSettings(config.printer, {
      outputDir: join(this.deps.dataDir, 'receipts'),
      fontDir: this.deps.fontDir,
    });
    if (printerConfig) {
      // The printer keeps its own levels: a levelled logger (printer.ts `PrinterLog`).
      const printerLog = childLogger(log, 'printer');
      const plog = {
        info: (msg: string, fields?: Record<string, unknown>) => printerLog('info', msg, fields),
        warn: (msg: string, fields?: Record<string, unknown>) => printerLog('warn', msg, fields),
        error: (msg: string, fields?: Record<string, unknown>) => printerLog('error', msg, fields),
      };
      const printer = (this.printer = createPrinter(printerConfig, plog));
      printer.onStatus((s: PrinterStatus) => {
        if (this.printer !== printer) return;
        if (s.state !== this.lastPrinterState) {
          this.lastPrinterState = s.state;
          if (s.state !== 'ok' && !this.restarting)
            this.deps.notice('warn', `打印机状态 / printer: ${s.state}`, 'staff');
          this.deps.changed();
        }
      });
      await this.printer.start();
    }
  }

  async stop(): Promise<void> {
    if (this.ledTimer) clearTimeout(this.ledTimer);
    await this.board?.stop();
    await this.printer?.stop();
  }

  private boardConfigured(): boolean {
    return this.board !== null;
  }

  private boardStatus(): BoardStatus | null {
    return this.board ? this.board.status() : null;
  }

  boardState(): 'ok' | 'absent' | 'error' {
    return this.board ? this.board.status().state : 'absent';
  }

  printerState(): 'ok' | 'paper_out' | 'cover_open' | 'absent' | 'error' {
    return this.printer ? this.printer.status().state : 'absent';
  }

  /** LEDs and buzzer follow the evaluation, step by step (board-patterns.ts has the table). */
  onEvaluationChange(change: CommittedChange): void {
    if (!this.board) return;
    if (this.ledTimer) clearTimeout(this.ledTimer);
    this.ledTimer = null;
    if (change.kind === 'started') {
      this.show('prompt');
    } else if (change.kind === 'closed') {
      this.show(change.outcome === 'rated' ? 'thanks' : 'unrated', change.chosenKey);
      this.ledTimer = setTimeout(() => this.applyIdleLeds(), change.outcome === 'rated' ? 2000 : 3000);
    } else if (change.kind === 'step' && change.state === 'waiting') {
      this.show('prompt');
    } else if (change.kind === 'step' && change.state === 'reasons') {
      this.show('chosen', this.deps.chosenStar());
      // With the voice off (disabled or quiet hours) the buzzer marks that the press was taken.
      if (!voiceActive(this.deps.config.citizen.voice, this.deps.clock.now())) this.sound(PRESS_BEEP);
    } else if (change.kind === 'cancelled') {
      this.applyIdleLeds();
    }
  }

  /** LEDs as the open evaluation's step wants them (after a board restart), else idle. */
  showCurrentStep(): void {
    const open = this.deps.evaluations.openEvaluation();
    if (!open) return this.applyIdleLeds();
    if (open.evaluation.state === 'reasons') this.show('chosen', this.deps.chosenStar());
    else this.show('prompt');
  }

  applyIdleLeds(): void {
    if (!this.board || this.deps.evaluations.openEvaluation()) return;
    this.show(this.deps.staff.status().state === 'on_duty' ? 'idle_on_duty' : 'idle_closed');
  }

  private show(step: BoardStep, chosen: number | null = null): void {
    const pattern: BoardPattern = boardPattern(step, chosen);
    this.send(pattern.leds);
    if (pattern.beep) this.sound(pattern.beep);
  }

  private sound(beep: { freqHz: number; durationMs: number }): void {
    void this.board?.beep(beep.freqHz, beep.durationMs).catch(() => undefined);
  }

  private send(modes: LedMode[]): void {
    this.board
      ?.setLeds(modes)
      .catch((err: unknown) =>
        this.deps.log('debug', 'leds not acknowledged', { error: (err as Error).message }),
      );
  }
}

/** The configured serial wins; else the one remembered at first pairing; else pair with the first board. */
function boardPairing(configured: string | null, paired: HardwareDeps['pairedBoard']): BoardPairing {
  return {
    expected: () =>
      configured
        ? { serial: configured, source: 'config' }
        : { serial: paired.get(), source: paired.get() ? 'remembered' : null },
    remember: (serial) => paired.remember(serial),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
