import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../domain/clock.js';
import { decoyPhc, nextAuthState, parsePhc, verifyPinInPool, type AuthState } from '../domain/pin.js';
import type { Logger, StaffMember } from '../domain/types.js';
import type { Db } from '../store/db.js';

/** Failure rows kept at most (one per typed 工号); the oldest unlocked ones go first. */
export const MAX_FAILURE_ROWS = 500;
/** The row that counts wrong badge scans (no 工号 is typed with a badge); `#` is never in a 工号. */
const BADGE_KEY = '#badge';

/**
 * Staff credentials: a PIN checked against the roster with the lockout, and badges checked
 * against the roster's `badge` hash and `windowNos`. Every answer costs the same whether the
 * 工号 exists or not (an unknown one is checked against a decoy hash of the roster's own cost),
 * and the failure table is bounded however many 工号 are tried.
 */
export class StaffCredentials {
  private decoy: { params: string; phc: string } | null = null;
  /** The PIN check in progress: checks run one after another (see checkPin). */
  private checking: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      roster: () => StaffMember[];
      windowNo: () => string;
      log: Logger;
    },
  ) {}

  /**
   * The member whose PIN this is, or a DomainError (`locked`, `bad_credentials`). The hash runs on
   * the thread pool, and checks run one at a time: each reads the failures so far, waits for its
   * hash and writes the new count, so two at once would both start from the same count and a
   * burst of guesses would get past the lockout.
   */
  checkPin(staffId: string, pin: string, purpose: 'sign_in' | 'unlock'): Promise<StaffMember> {
    const check = this.checking.then(() => this.checkPinNow(staffId, pin, purpose));
    this.checking = check.catch(() => undefined);
    return check;
  }

  private async checkPinNow(
    staffId: string,
    pin: string,
    purpose: 'sign_in' | 'unlock',
  ): Promise<StaffMember> {
    const { clock } = this.deps;
    const now = clock.now();
    const roster = this.deps.roster();
    const member = roster.find((s) => s.staffId === staffId);
    const prev = this.state(staffId);
    if (prev.lockedUntilMs !== null && prev.lockedUntilMs > now) {
      const min = Math.ceil((prev.lockedUntilMs - now) / 60_000);
      this.deps.log('warn', 'staff PIN refused: locked', { staffId, purpose });
      throw new DomainError(
        'locked',
        `密码错误次数过多，请 ${min} 分钟后再试 / too many wrong PINs, try again in ${min} min`,
        'pin',
      );
    }
    // Unknown staff and a wrong PIN look the same from outside — same answer, same cost — and
    // both count as failures.
    const ok = member?.pin
      ? await verifyPinInPool(pin, member.pin)
      : (await verifyPinInPool(pin, this.decoyFor(roster)), false);
    const next = nextAuthState(prev, ok, now);
    this.save(staffId, next);
    if (!ok || !member) {
      this.deps.log('warn', 'staff PIN failed', { staffId, purpose, failures: next.failures });
      if (next.lockedUntilMs !== null && next.lockedUntilMs > now)
        throw new DomainError('locked', '密码错误次数过多，已锁定 5 分钟 / locked for 5 minutes', 'pin');
      throw new DomainError('bad_credentials', '工号或密码错误 / wrong staff number or PIN', 'pin');
    }
    return member;
  }

  /**
   * The member whose badge this is: the scanned text's SHA-256 against every roster `badge`
   * (all compared, constant time), and only a member of this window. Wrong scans lock badge
   * sign-in like wrong PINs do; PIN sign-in stays open.
   */
  checkBadge(code: string): StaffMember {
    const now = this.deps.clock.now();
    const prev = this.state(BADGE_KEY);
    if (prev.lockedUntilMs !== null && prev.lockedUntilMs > now) {
      this.deps.log('warn', 'badge refused: locked', {});
      throw new DomainError(
        'locked',
        '工作证识别失败次数过多，请用工号和密码签到 / badge sign-in locked: use 工号 + PIN',
        'code',
      );
    }
    const digest = createHash('sha256').update(code.trim()).digest();
    let found: StaffMember | undefined;
    for (const member of this.deps.roster()) {
      if (!member.badge || !/^[0-9a-f]{64}$/.test(member.badge)) continue;
      if (timingSafeEqual(digest, Buffer.from(member.badge, 'hex')) && !found) found = member;
    }
    const windowNo = this.deps.windowNo();
    const here = found !== undefined && found.windowNos.includes(windowNo);
    const next = nextAuthState(prev, here, now);
    this.save(BADGE_KEY, next);
    if (!found || !here) {
      this.deps.log('warn', 'badge sign-in failed', {
        reason: found ? 'other_window' : 'unknown_badge',
        staffId: found?.staffId ?? null,
        failures: next.failures,
      });
      if (found)
        throw new DomainError(
          'bad_credentials',
          `此工作证不属于 ${windowNo} 号窗口，请用工号和密码签到 / this badge is not for window ${windowNo}`,
          'code',
        );
      throw new DomainError('bad_credentials', '无法识别的工作证 / badge not recognised', 'code');
    }
    return found;
  }

  private state(key: string): AuthState {
    return (
      (this.deps.db
        .prepare('SELECT failures, locked_until_ms AS lockedUntilMs FROM auth_failures WHERE staff_id = ?')
        .get(key) as AuthState | undefined) ?? { failures: 0, lockedUntilMs: null }
    );
  }

  private save(key: string, next: AuthState): void {
    const { db } = this.deps;
    if (next.failures === 0 && next.lockedUntilMs === null) {
      db.prepare('DELETE FROM auth_failures WHERE staff_id = ?').run(key);
      return;
    }
    db.prepare(
      `INSERT INTO auth_failures (staff_id, failures, locked_until_ms) VALUES (?, ?, ?)
       ON CONFLICT(staff_id) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms`,
    ).run(key, next.failures, next.lockedUntilMs);
    const { n } = db
      .prepare(`SELECT COUNT(*) AS n FROM auth_failures WHERE staff_id NOT LIKE '#%'`)
      .get() as {
      n: number;
    };
    if (n > MAX_FAILURE_ROWS) {
      // Unlocked rows first, oldest first: a lock in force is never forgotten before them.
      db.prepare(
        `DELETE FROM auth_failures WHERE rowid IN (
           SELECT rowid FROM auth_failures WHERE staff_id NOT LIKE '#%'
           ORDER BY (locked_until_ms IS NOT NULL AND locked_until_ms > ?), rowid LIMIT ?)`,
      ).run(this.deps.clock.now(), n - MAX_FAILURE_ROWS);
    }
  }

  /** A PHC string with the roster's own cost parameters, for checking an unknown 工号. */
  private decoyFor(roster: StaffMember[]): string {
    const sample = roster.find((s) => s.pin)?.pin;
    let params = { ln: 14, r: 8, p: 1 };
    if (sample) {
      try {
        const p = parsePhc(sample);
        params = { ln: p.ln, r: p.r, p: p.p };
      } catch {
        /* a malformed entry shows on its own sign-in; the default cost stands in */
      }
    }
    const key = `${params.ln},${params.r},${params.p}`;
    if (this.decoy?.params !== key) this.decoy = { params: key, phc: decoyPhc(params) };
    return this.decoy.phc;
  }
}
