import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardStatus } from '../hardware/board/index.js';
import type { PrinterStatus } from '../hardware/printer/index.js';
import type { Db } from '../store/db.js';
import { outboxStats, type OutboxStats } from '../store/outbox.js';

/** What the reader needs: the board and printer as they are now (either may be absent). */
export interface DeviceSources {
  db: Db;
  dataDir: string;
  board(): { status(): BoardStatus } | null;
  printer(): { status(): PrinterStatus } | null;
  boardSimulated(): boolean;
  /** this run's full integrity check (integrity-watch.ts IntegrityLedger) */
  integrity(): { integrity: string; checkedMs: number | null };
}

export type BoardState = BoardStatus['state'];
export type PrinterState = PrinterStatus['state'];

export interface DeviceStatus {
  board: { state: BoardState; simulated: boolean; detail: BoardStatus | null };
  printer: { state: PrinterState; detail: PrinterStatus | null };
  outbox: OutboxStats;
}

export interface DbInfo {
  sizeBytes: number;
  schemaVersion: number;
  /** `ok`, `checking`, `damaged` or `not checked`: this run's full check */
  integrity: string;
  /** when that check ended; null while it runs */
  checkedMs: number | null;
}

/**
 * The one place the pad's device status is read: the citizen snapshot, the window API's
 * `/v1/status`, the technician's status and the heartbeat all take it from here.
 */
export class DeviceStatusReader {
  constructor(private readonly src: DeviceSources) {}

  read(): DeviceStatus {
    const board = this.src.board()?.status() ?? null;
    const printer = this.src.printer()?.status() ?? null;
    return {
      board: { state: board?.state ?? 'absent', simulated: this.src.boardSimulated(), detail: board },
      printer: { state: printer?.state ?? 'absent', detail: printer },
      outbox: outboxStats(this.src.db),
    };
  }

  /** Size and the outcome of this run's integrity check (technician screen, heartbeat). */
  dbInfo(): DbInfo {
    const file = join(this.src.dataDir, 'kiosk.db');
    const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    return {
      sizeBytes: size(file) + size(file + '-wal'),
      schemaVersion: this.src.db.pragma('user_version', { simple: true }) as number,
      ...this.src.integrity(),
    };
  }
}
