import { DomainError } from '../domain/errors.js';
import type { WindowState } from '../api/contract.js';
import type { Clock } from '../domain/clock.js';
import { StaffCredentials } from './staff-auth.js';
import type { Db } from '../store/db.js';
import type { Logger, StaffMember } from '../domain/types.js';

export interface WindowStatus {
  state: WindowState;
  staff: StaffMember | null;
}

/**
 * Who is at the window and whether it serves: sign in by 工号 + PIN or badge, pause, sign out.
 * The state lives in SQLite so a restart comes back as it was.
 */
export class StaffService {
  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      roster: () => StaffMember[];
      log: Logger;
      onChange: () => void;
      hasOpenEvaluation: () => boolean;
      /** this pad's window (the staff check of window-api 1.1; a badge signs in only a member of this window) */
      windowNo?: () => string;
    },
  ) {
    this.credentials = new StaffCredentials({
      db: deps.db,
      clock: deps.clock,
      roster: deps.roster,
      windowNo: deps.windowNo ?? (() => ''),
      log: deps.log,
    });
  }

  private readonly credentials: StaffCredentials;

  status(): WindowStatus {
    const row = this.deps.db.prepare('SELECT state, staff_id FROM window_state WHERE id = 1').get() as
      { state: WindowState; staff_id: string | null } | undefined;
    if (!row || row.staff_id === null) return { state: 'away', staff: null };
    const staff = this.find(row.staff_id) ?? {
      staffId: row.staff_id,
      name: row.staff_id,
      title: '',
      windowNos: [],
    };
    return { state: row.state, staff };
  }

  find(staffId: string): StaffMember | undefined {
    return this.deps.roster().find((s) => s.staffId === staffId);
  }

  async signInWithPin(staffId: string, pin: string): Promise<StaffMember> {
    const member = await this.credentials.checkPin(staffId, pin, 'sign_in');
    this.signIn(member, 'pin');
    return member;
  }

  /** For the shift only: a badge never opens the staff panel (that takes the PIN). */
  signInWithBadge(code: string): StaffMember {
    const member = this.credentials.checkBadge(code);
    this.signIn(member, 'badge');
    return member;
  }

  /** The signed-in member's PIN, to open the staff panel (same lockout as sign-in). */
  async verifySignedInPin(pin: string): Promise<StaffMember> {
    const current = this.status().staff;
    if (!current) throw new DomainError('no_staff', '请先签到 / sign in first');
    const member = await this.credentials.checkPin(current.staffId, pin, 'unlock');
    // The shift may have changed while the PIN was hashed: the PIN is good only for who is signed in.
    if (this.status().staff?.staffId !== member.staffId)
      throw new DomainError('no_staff', '签到人员已变更 / the signed-in staff member changed');
    return member;
  }

  private signIn(member: StaffMember, method: 'pin' | 'badge'): void {
    const { db, clock } = this.deps;
    if (this.deps.hasOpenEvaluation()) throw new DomainError('busy', '评价进行中 / an evaluation is open');
    const now = clock.now();
    db.transaction(() => {
      db.prepare(`UPDATE staff_sessions SET signed_out_ms = ? WHERE signed_out_ms IS NULL`).run(now);
      db.prepare('INSERT INTO staff_sessions (staff_id, method, signed_in_ms) VALUES (?, ?, ?)').run(
        member.staffId,
        method,
        now,
      );
      db.prepare(
        `INSERT INTO window_state (id, state, staff_id, changed_ms) VALUES (1, 'on_duty', ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = 'on_duty', staff_id = excluded.staff_id, changed_ms = excluded.changed_ms`,
      ).run(member.staffId, now);
    })();
    this.deps.log('info', 'staff signed in', { staffId: member.staffId, method });
    this.deps.onChange();
  }

  signOut(): void {
    const { db, clock } = this.deps;
    if (this.deps.hasOpenEvaluation())
      throw new DomainError('busy', '评价进行中，不能签退 / an evaluation is open');
    const now = clock.now();
    db.transaction(() => {
      db.prepare(`UPDATE staff_sessions SET signed_out_ms = ? WHERE signed_out_ms IS NULL`).run(now);
      db.prepare(
        `INSERT INTO window_state (id, state, staff_id, changed_ms) VALUES (1, 'away', NULL, ?)
         ON CONFLICT(id) DO UPDATE SET state = 'away', staff_id = NULL, changed_ms = excluded.changed_ms`,
      ).run(now);
    })();
    this.deps.onChange();
  }

  setState(state: 'on_duty' | 'paused'): WindowState {
    const { db, clock } = this.deps;
    const current = this.status();
    if (!current.staff) throw new DomainError('no_staff', '请先签到 / nobody is signed in');
    if (state === 'paused' && this.deps.hasOpenEvaluation())
      throw new DomainError('busy', '评价进行中 / an evaluation is open');
    db.prepare('UPDATE window_state SET state = ?, changed_ms = ? WHERE id = 1').run(state, clock.now());
    this.deps.onChange();
    return state;
  }

  /** The staff member an evaluation is for, or the reason the window can't start one. */
  staffForEvaluation(requested: string | undefined): { staffId: string; name: string } {
    const st = this.status();
    if (st.state === 'paused') throw new DomainError('window_paused', '窗口暂停服务 / the window is paused');
    if (!st.staff || st.state === 'away')
      throw new DomainError('no_staff', '窗口无人签到 / nobody is signed in');
    if (requested && requested !== st.staff.staffId) {
      // A rating is always credited to somebody who serves here (window-api 1.1).
      const other = this.find(requested);
      const windowNo = this.deps.windowNo?.();
      if (!other || windowNo === undefined || !other.windowNos.includes(windowNo)) {
        throw new DomainError(
          'staff_not_at_window',
          `工号 ${requested} ${other ? `不在 ${windowNo ?? ''} 号窗口服务` : '不在本厅人员名单中'} / staff ${requested} does not serve at this window`,
          'staffId',
        );
      }
      return { staffId: other.staffId, name: other.name };
    }
    return { staffId: st.staff.staffId, name: st.staff.name };
  }
}
