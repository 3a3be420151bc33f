import { freeBytesOn, onReadOnlyFileSystem } from '../store/volume.js';
import { isCorruptionError } from '../store/recovery.js';

/**
 * Whether the pad can store a rating right now. `GET /v1/status`, the citizen screen, the staff
 * panel and the heartbeat all read this one state (window-api.md "storage", decisions 192):
 *
 * - `ok`
 * - `full`        the data directory's filesystem is (nearly) full, or a write failed with ENOSPC/SQLITE_FULL
 * - `read_only`   the filesystem was remounted read-only (ext4 does this on I/O errors), or a write got EROFS
 * - `damaged`     a query reported SQLITE_CORRUPT/NOTADB, or the background check after a clean stop
 *                 found a problem (decision 178); the next start checks and repairs the file
 * - `recovering`  a fresh or repaired database waits for the platform's lastDeviceSeq before sealing records
 *
 * A probe every half second (statfs, access(W_OK), which answers EROFS on a read-only mount, and the
 * kernel's mount table, which also shows ext4's `emergency_ro` after an I/O error; it writes nothing)
 * finds the state within a second even before a press fails, and finds its end.
 */
export type StorageState = 'ok' | 'full' | 'read_only' | 'damaged' | 'recovering';

/** Below this much free space new evaluations are refused: an open one can still finish. */
export const MIN_FREE_BYTES = 1024 * 1024;
const PROBE_MS = 500;

export class StorageHealth {
  private probed: 'ok' | 'full' | 'read_only' = 'ok';
  /** a write failure seen since the probe last looked: cleared by the next successful probe */
  private failed: 'full' | 'read_only' | null = null;
  private failedAt = 0;
  private damaged = false;
  private waitingSeq = false;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<(s: StorageState) => void>();
  private last: StorageState = 'ok';
  freeBytes: number | null = null;

  constructor(
    private readonly dir: string,
    private readonly minFreeBytes = MIN_FREE_BYTES,
  ) {}

  start(): void {
    this.probe();
    this.timer = setInterval(() => this.probe(), PROBE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  state(): StorageState {
    if (this.damaged) return 'damaged';
    if (this.probed === 'read_only' || this.failed === 'read_only') return 'read_only';
    if (this.probed === 'full' || this.failed === 'full') return 'full';
    if (this.waitingSeq) return 'recovering';
    return 'ok';
  }

  onChange(listener: (s: StorageState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setWaitingForSeq(waiting: boolean): void {
    this.waitingSeq = waiting;
    this.changed();
  }

  /** The background integrity check found the file damaged (host/integrity-watch.ts). */
  markDamaged(): void {
    this.damaged = true;
    this.changed();
  }

  /**
   * A write went through: whatever failed before has passed.
   */
  writeSucceeded(): void {
    if (this.failed === null) return;
    this.failed = null;
    this.changed();
  }

  /**
   * Classifies a failed write or query. Returns true when the error was a storage fault (the
   * caller then answers with the storage state instead of a generic error).
   */
  report(err: unknown): boolean {
    const code = String((err as { code?: unknown } | null)?.code ?? '');
    if (isCorruptionError(err)) this.damaged = true;
    else if (code === 'HCP_SEQ_UNKNOWN') this.waitingSeq = true;
    else if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') this.failed = 'full';
    else if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') this.failed = 'read_only';
    else if (code.startsWith('SQLITE_IOERR') || code === 'EIO')
      this.failed = this.probed === 'full' ? 'full' : 'read_only';
    else return false;
    this.failedAt = performance.now();
    this.changed();
    return true;
  }

  probe(): void {
    let next: 'ok' | 'full' | 'read_only' = 'ok';
    if (onReadOnlyFileSystem(this.dir)) next = 'read_only';
    // Unknown free space (statfs unsupported): rely on write errors.
    const free = next === 'ok' ? freeBytesOn(this.dir) : null;
    if (free !== null) {
      this.freeBytes = free;
      // Hysteresis: leave `full` only with twice the margin, so the state does not flicker.
      const need = this.probed === 'full' ? 2 * this.minFreeBytes : this.minFreeBytes;
      if (free < need) next = 'full';
    }
    this.probed = next;
    // A write error stands until the probe sees the filesystem writable and with room again.
    // (two seconds at least: SQLite can need more room than the probe's margin).
    if (next === 'ok' && this.failed !== null && performance.now() - this.failedAt > 2000) this.failed = null;
    this.changed();
  }

  private changed(): void {
    const now = this.state();
    if (now === this.last) return;
    this.last = now;
    for (const l of this.listeners) l(now);
  }
}
