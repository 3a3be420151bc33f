import { ApiError } from '../api/contract.js';
import type { ClientSession } from '../api/dispatch.js';
import type { Clock } from '../domain/clock.js';
import type { Db } from '../store/db.js';
import type { KioskLogger } from './log.js';

/**
 * The staff panel opens only with the signed-in member's PIN, per screen session (one IPC
 * window or WebSocket connection), and locks itself after `lockAfterMs` untouched, when an
 * evaluation starts, and when whoever is signed in changes (`lockAll` bumps an epoch every
 * session's unlock must match).
 */
export class StaffPanelGate {
  private epoch = 0;

  constructor(
    private readonly clock: Clock,
    readonly lockAfterMs: number,
  ) {}

  lockAll(): void {
    this.epoch += 1;
  }

  unlock(session: ClientSession, staffId: string): void {
    session.staffPanel = { staffId, epoch: this.epoch, lastTouchMs: this.clock.now() };
  }

  lock(session: ClientSession): void {
    session.staffPanel = null;
  }

  /** Whether this session has the panel open for `staffId` now; a use counts as a touch. */
  isOpen(session: ClientSession, staffId: string, touch = true): boolean {
    const u = session.staffPanel;
    const now = this.clock.now();
    const open =
      !!u && u.staffId === staffId && u.epoch === this.epoch && now - u.lastTouchMs < this.lockAfterMs;
    if (!open) session.staffPanel = null;
    else if (touch && u) u.lastTouchMs = now;
    return open;
  }

  require(session: ClientSession, staffId: string): void {
    if (!this.isOpen(session, staffId))
      throw new ApiError(
        'staff_locked',
        '请输入密码打开工作人员界面 / enter your PIN to open the staff panel',
      );
  }
}

/** Growing technician lockout: after 3 wrong codes 30 s, doubling each further one, at most 1 h. */
export function technicianLockMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(3600_000, 30_000 * 2 ** (failures - 3));
}

const TECH_KEY = '#technician';

/**
 * The technician code: compared in constant time, every attempt logged, wrong codes lock with
 * growing delays kept in the database (a restart does not reset them), and an unlocked
 * session relocks after `idleLockMs` untouched.
 */
export class TechnicianGate {
  constructor(
    private readonly deps: { db: Db; clock: Clock; log: KioskLogger; code: () => string; idleLockMs: number },
  ) {}

  unlock(session: ClientSession, code: string, compare: (a: string, b: string) => boolean): void {
    const { db, clock, log } = this.deps;
    const now = clock.now();
    const row = db
      .prepare('SELECT failures, locked_until_ms AS lockedUntilMs FROM auth_failures WHERE staff_id = ?')
      .get(TECH_KEY) as { failures: number; lockedUntilMs: number | null } | undefined;
    const failures = row?.failures ?? 0;
    if (row?.lockedUntilMs && row.lockedUntilMs > now) {
      const s = Math.ceil((row.lockedUntilMs - now) / 1000);
      log.write('warn', 'technician unlock refused: locked', { failures, retryInS: s });
      throw new ApiError(
        'locked',
        `口令错误次数过多，请 ${s} 秒后再试 / too many wrong codes, try again in ${s} s`,
        'code',
      );
    }
    if (!compare(code, this.deps.code())) {
      const n = failures + 1;
      const lockMs = technicianLockMs(n);
      db.prepare(
        `INSERT INTO auth_failures (staff_id, failures, locked_until_ms) VALUES (?, ?, ?)
         ON CONFLICT(staff_id) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms`,
      ).run(TECH_KEY, n, lockMs > 0 ? now + lockMs : null);
      // Info, not warn: every attempt stays in the log (warnings are coalesced); the growing lock
      // bounds how many there can be.
      log.write('info', 'technician unlock failed', { failures: n, lockedForS: lockMs / 1000 });
      throw new ApiError(
        lockMs > 0 ? 'locked' : 'bad_credentials',
        lockMs > 0
          ? `口令错误，已锁定 ${lockMs / 1000} 秒 / wrong code, locked for ${lockMs / 1000} s`
          : '口令错误 / wrong technician code',
        'code',
      );
    }
    db.prepare('DELETE FROM auth_failures WHERE staff_id = ?').run(TECH_KEY);
    log.write('info', 'technician unlocked', { afterFailures: failures });
    session.techUnlocked = true;
    session.techTouchMs = now;
  }

  /** `touch: false` for the screen's own status polling, which is no one touching it. */
  require(session: ClientSession, touch = true): void {
    const now = this.deps.clock.now();
    if (session.techUnlocked && now - (session.techTouchMs ?? 0) >= this.deps.idleLockMs) {
      session.techUnlocked = false;
      this.deps.log.write('info', 'technician screens relocked after idle', {});
    }
    if (!session.techUnlocked)
      throw new ApiError('tech_locked', '需要技术维护口令 / technician code required');
    if (touch) session.techTouchMs = now;
  }

  lock(session: ClientSession): void {
    session.techUnlocked = false;
  }
}
