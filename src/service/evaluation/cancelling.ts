import { DomainError } from '../../domain/errors.js';
import { FREQUENT_CANCEL_POLICY, isFrequentCancel } from '../../domain/cancel-policy.js';
import type { CancelReason, PlatformRecord } from '../../domain/record.js';
import { evaluationHasRecords } from '../../store/evaluation-records.js';
import { sealCancelled } from './sealing.js';
import { loadEvaluation, settledDeps, type EvaluationDeps } from './types.js';

export interface CancelRequest {
  reason: CancelReason;
  /** the staff member answerable for the cancel (the record's cancelledBy) */
  staffId: string;
  /** who asked, for the local log: `staff_panel:T0107`, `window_api:127.0.0.1` */
  channel: string;
}

/**
 * Withdraws an evaluation before any star was chosen (once the citizen touched a star it is
 * theirs: cancelling then would let staff suppress a bad review). The cancellation is a record:
 * sealed into the hash chain and queued for the platform in the same transaction.
 */
export function cancelEvaluation(given: EvaluationDeps, id: string, req: CancelRequest): PlatformRecord[] {
  const deps = settledDeps(given);
  const { db, clock } = deps;
  const now = clock.now();
  return db.transaction(() => {
    const found = loadEvaluation(db, id);
    // A folded evaluation (decision 220) closed hours ago: refused as any closed one is.
    if (!found && !evaluationHasRecords(db, id))
      throw new DomainError('not_found', `没有这个评价 / no evaluation ${id}`);
    if (
      !found ||
      found.evaluation.state !== 'waiting' ||
      found.cases.some((c) => c.chosen_satisfaction !== null || c.outcome !== null)
    ) {
      throw new DomainError(
        'not_cancellable',
        '评价已开始或已结束，不能撤销 / only an evaluation still waiting, before any star, can be cancelled',
      );
    }
    const { evaluation, cases } = found;
    const flags = frequentCancel(deps, evaluation.staff_id, now) ? ['frequent_cancel'] : [];
    db.prepare(
      `UPDATE evaluations SET state = 'cancelled', closed_ms = ?, close_reason = 'cancelled', cancelled_by = ?,
         cancel_reason = ?, step_deadline_ms = NULL, risk_flags = ? WHERE id = ?`,
    ).run(now, req.channel, req.reason, JSON.stringify(flags), id);
    db.prepare(`UPDATE evaluation_cases SET outcome = 'cancelled' WHERE evaluation_id = ?`).run(id);
    return sealCancelled(deps, evaluation, cases, { staffId: req.staffId, reason: req.reason, flags }, now);
  })();
}

/** Counts this cancellation with the staff member's earlier ones (must run in the transaction). */
function frequentCancel(deps: Pick<EvaluationDeps, 'db'>, staffId: string, now: number): boolean {
  const row = deps.db
    .prepare(
      `SELECT COUNT(*) AS started, COALESCE(SUM(state = 'cancelled'), 0) AS cancelled
       FROM evaluations WHERE staff_id = ? AND started_ms > ?`,
    )
    .get(staffId, now - FREQUENT_CANCEL_POLICY.windowMs) as { started: number; cancelled: number };
  // The evaluation being cancelled is among `started` but not yet among `cancelled`.
  return isFrequentCancel({ cancelled: row.cancelled + 1, started: row.started });
}
