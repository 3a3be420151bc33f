import type { StartEvaluationInput } from '../api/contract.js';
import type { CancelReason } from '../domain/record.js';
import { formatCst } from '../domain/time.js';
import type { HallIdentity, Logger } from '../domain/types.js';
import type { EvaluationService } from '../service/evaluations.js';
import type { StaffService } from '../service/staff.js';
import type { DeviceStatusReader } from './device-status.js';
import type { Receipts } from './receipts.js';
import type { StorageState } from './storage-health.js';
import type { SyncBridge } from './sync-bridge.js';

/** How long a start waits for the platform's case visits before numbering offline. */
const CASE_LOOKUP_TIMEOUT_MS = 2000;

export interface WindowEvaluationState {
  evaluationId: string;
  state: 'waiting' | 'done' | 'cancelled';
  startedTime: string;
  closedTime?: string;
}

/** What the operations both staff paths share need, handed in at construction. */
export interface EvaluationDeskDeps {
  evaluations: Pick<EvaluationService, 'previousStart' | 'start' | 'get' | 'cancel'>;
  staff: Pick<StaffService, 'staffForEvaluation' | 'status'>;
  sync: Pick<SyncBridge, 'service'>;
  receipts: Pick<Receipts, 'printForEvaluation'>;
  devices: Pick<DeviceStatusReader, 'read'>;
  hall(): HallIdentity;
  log: Logger;
  notice(level: 'warn', text: string, audience: 'staff'): void;
  storageState(): StorageState;
  /** throws the clear answer when nothing new can be stored now */
  requireStorage(): void;
  /** runs a write; a storage fault becomes the storage answer */
  guardStorage<T>(write: () => T): T;
}

/**
 * Starting and cancelling an evaluation as the window API and the staff panel both do it, and the
 * window API's views of an evaluation and of the window.
 */
export class EvaluationDesk {
  constructor(private readonly deps: EvaluationDeskDeps) {}

  async startEvaluation(
    input: StartEvaluationInput,
    origin: 'window_api' | 'staff_panel' | 'scanner',
  ): Promise<{ evaluationId: string }> {
    const d = this.deps;
    // A business system's retry (same requestId) gets the first answer whatever happened since:
    // the window may be busy with that very evaluation, or the staff member signed out.
    const earlier = d.evaluations.previousStart(input.requestId);
    if (earlier) {
      d.log('info', 'start request answered again (same requestId)', earlier);
      return earlier;
    }
    d.requireStorage();
    const staff = d.staff.staffForEvaluation(input.staffId);
    const platformLastVisit = await this.platformVisits(input);
    const { evaluationId, replayed } = d.guardStorage(() =>
      d.evaluations.start(input, { origin, staff, platformLastVisit }),
    );
    if (replayed) return { evaluationId };
    if (input.printReceipt) {
      // A print never blocks or delays a rating: failures reach staff and technician as notices.
      d.receipts
        .printForEvaluation(evaluationId)
        .catch((err: unknown) =>
          d.notice('warn', `回执打印失败 / receipt failed: ${(err as Error).message}`, 'staff'),
        );
    }
    return { evaluationId };
  }

  /**
   * For each 承诺件 the pad numbers itself, the highest visit the platform holds (a case is often
   * served at two windows). Offline, or no answer within 2 s: the pad's own records, logged.
   */
  private async platformVisits(input: StartEvaluationInput): Promise<Map<string, number>> {
    const d = this.deps;
    const out = new Map<string, number>();
    const ask = input.cases.filter((c) => c.promiseType === 2 && c.serviceNumber === undefined);
    const sync = d.sync.service;
    for (const c of ask) {
      const answer = sync
        ? await sync.caseVisits(c.projectNo, d.hall().hallCode, CASE_LOOKUP_TIMEOUT_MS)
        : { ok: false as const, reason: 'sync not running' };
      if (answer.ok) out.set(c.projectNo, answer.lastVisit);
      else
        d.log('warn', 'case visit look-up failed; numbering the visit from this pad’s own records', {
          projectNo: c.projectNo,
          reason: answer.reason,
        });
    }
    return out;
  }

  /** The staff panel and the window API cancel alike: with a reason, as a record. */
  cancelEvaluation(id: string, reason: CancelReason, channel: string): void {
    const d = this.deps;
    const found = d.evaluations.get(id);
    const signedIn = d.staff.status().staff?.staffId;
    // cancelledBy names a staff member: the one who pressed it on the panel, else the one at the
    // window when the business system withdrew it, else the one the evaluation was for.
    const staffId = channel.startsWith('staff_panel:')
      ? channel.slice('staff_panel:'.length)
      : (signedIn ?? found?.evaluation.staff_id ?? '');
    d.guardStorage(() => d.evaluations.cancel(id, { reason, staffId, channel }));
  }

  /** The window API's view of one evaluation: waiting, done or cancelled — never the rating. */
  evaluationState(id: string): WindowEvaluationState | null {
    const d = this.deps;
    const found = d.evaluations.get(id);
    if (!found) return null;
    const ev = found.evaluation;
    const state =
      ev.state === 'waiting' || ev.state === 'reasons'
        ? 'waiting'
        : ev.state === 'cancelled'
          ? 'cancelled'
          : 'done';
    const out: WindowEvaluationState = {
      evaluationId: ev.id,
      state,
      startedTime: formatCst(ev.started_ms),
    };
    if (ev.closed_ms !== null) out.closedTime = formatCst(ev.closed_ms);
    return out;
  }

  /** The window API's `/v1/status`. */
  windowStatus(): unknown {
    const d = this.deps;
    const st = d.staff.status();
    const devices = d.devices.read();
    return {
      window: { no: d.hall().windowNo, state: st.state },
      staff: st.staff ? { staffId: st.staff.staffId, name: st.staff.name } : null,
      board: devices.board.state,
      printer: devices.printer.state,
      outbox: { pending: devices.outbox.pending, rejected: devices.outbox.rejected },
      storage: d.storageState(),
    };
  }
}
