import { isBadReview, isSatisfaction } from '../../domain/levels.js';
import type { CancelReason, PlatformRecord, UnsealedRecord } from '../../domain/record.js';
import { formatCst } from '../../domain/time.js';
import { appendRecords } from '../../store/records.js';
import { computeRiskFlags } from '../../store/risk-input.js';
import {
  loadEvaluation,
  parseFlags,
  targetsOf,
  type CaseRow,
  type CommittedChange,
  type EvaluationDeps,
  type EvaluationRow,
  type Loaded,
} from './types.js';

type SealDeps = Pick<EvaluationDeps, 'db' | 'timing' | 'hall' | 'clockOffsetMs' | 'clockUnsynced'>;

export interface StepResult {
  next: 'rated' | 'next_item';
  sealed: PlatformRecord[];
  closed: CommittedChange | null;
}

/**
 * Seals the current step's cases (must run inside a transaction) and moves on: to the next item
 * of a chain rated item by item, or closes the evaluation.
 */
export function finishStep(
  deps: SealDeps,
  id: string,
  outcome: 'rated' | 'unrated',
  reasons: { codes: string[]; comment: string | undefined },
  now: number,
  opts: { closeAll?: boolean; loaded?: Loaded } = {},
): StepResult {
  const { db } = deps;
  // `loaded`: the caller's rows of this evaluation, current within this transaction.
  const found = opts.loaded ?? loadEvaluation(db, id);
  if (!found) throw new Error(`evaluation ${id} vanished`);
  const { evaluation: ev, cases } = found;
  const targets = opts.closeAll ? cases.filter((c) => c.outcome === null) : targetsOf(ev, cases);
  const detail = reasons.codes.join(',');
  // The reasons and the comment go into the record only (decision 212).
  const setOutcome = db.prepare(
    'UPDATE evaluation_cases SET outcome = ? WHERE evaluation_id = ? AND idx = ?',
  );
  const unsealed: UnsealedRecord[] = [];
  const startFlags = parseFlags(ev.risk_flags);
  const ratedFlags = outcome === 'rated' ? computeRiskFlags(db, ev, targets, now) : [];
  const riskFlags = [...new Set([...startFlags, ...ratedFlags])];
  for (const t of targets) {
    setOutcome.run(outcome, id, t.idx);
    const rec = baseRecord(deps, ev, t, outcome, now);
    if (outcome === 'rated') addRating(rec, ev, t, detail, reasons.comment, now);
    else if (t.chosen_satisfaction !== null && isBadReview(t.chosen_satisfaction)) {
      // The citizen chose a 差评 star and the reasons step ran out: never silent, never a
      // rating without reasons, and never left for the platform's default 满意.
      rec.abandonedSatisfaction = t.chosen_satisfaction as 1 | 2;
    }
    if (riskFlags.length > 0) rec.riskFlags = riskFlags;
    unsealed.push(rec);
  }
  const sealed = appendRecords(db, unsealed, now);
  const remaining = cases.filter((c) => c.outcome === null && !targets.some((t) => t.idx === c.idx));
  if (remaining.length > 0 && ev.group_type === 'chain' && ev.chain_mode === 'each') {
    const timing = deps.timing();
    const nextIdx = Math.min(...remaining.map((c) => c.idx));
    db.prepare(
      `UPDATE evaluations SET state = 'waiting', current_idx = ?, prompt_ms = ?, step_deadline_ms = ? WHERE id = ?`,
    ).run(nextIdx, now, now + timing.rateTimeoutS * 1000, id);
    return { next: 'next_item', sealed, closed: null };
  }
  const anyRated = cases.some((c) => c.outcome === 'rated') || outcome === 'rated';
  const finalState = anyRated ? 'rated' : 'unrated';
  db.prepare(
    `UPDATE evaluations SET state = ?, closed_ms = ?, close_reason = ?, step_deadline_ms = NULL, risk_flags = ? WHERE id = ?`,
  ).run(finalState, now, outcome === 'rated' ? 'rated' : 'timeout', JSON.stringify(riskFlags), id);
  const chosenKey = outcome === 'rated' ? (targets[0]?.chosen_satisfaction ?? null) : null;
  return {
    next: 'rated',
    sealed,
    closed: { kind: 'closed', evaluationId: id, outcome: finalState, sealed, chosenKey },
  };
}

/** One `cancelled` record per case (platform-api 1.1), chained like any other record. */
export function sealCancelled(
  deps: SealDeps,
  ev: EvaluationRow,
  cases: CaseRow[],
  cancel: { staffId: string; reason: CancelReason; flags: string[] },
  now: number,
): PlatformRecord[] {
  const offset = Math.round(deps.clockOffsetMs());
  const flags = [...new Set([...parseFlags(ev.risk_flags), ...cancel.flags])];
  const unsealed = cases.map((c) => {
    const rec = baseRecord(deps, ev, c, 'cancelled', now);
    rec.cancelledTime = formatCst(now + offset);
    rec.cancelledBy = cancel.staffId;
    rec.cancelReason = cancel.reason;
    if (flags.length > 0) rec.riskFlags = flags;
    return rec;
  });
  return appendRecords(deps.db, unsealed, now);
}

function baseRecord(
  deps: SealDeps,
  ev: EvaluationRow,
  c: CaseRow,
  status: UnsealedRecord['status'],
  now: number,
): UnsealedRecord {
  const hall = deps.hall();
  const offset = Math.round(deps.clockOffsetMs());
  const rec: UnsealedRecord = {
    evaluationId: c.record_id,
    projectNo: c.project_no,
    serviceNumber: c.service_number,
    taskCode: c.task_code,
    taskName: c.task_name,
    promiseType: c.promise_type,
    hallCode: hall.hallCode,
    windowNo: ev.window_no,
    areaCode: hall.areaCode,
    staffId: ev.staff_id,
    staffName: ev.staff_name,
    pf: '4',
    status,
    startedTime: formatCst(ev.started_ms + offset),
    deviceTimeMs: now,
    clockOffsetMs: offset,
  };
  if (deps.clockUnsynced?.()) rec.clockUnsynced = true;
  if (ev.group_type) {
    rec.groupId = ev.id;
    rec.groupType = ev.group_type;
    // A chain whose mode was never chosen was offered as one prompt for all items: overall.
    if (ev.group_type === 'chain') rec.groupMode = ev.chain_mode ?? 'overall';
  }
  return rec;
}

function addRating(
  rec: UnsealedRecord,
  ev: EvaluationRow,
  c: CaseRow,
  detail: string,
  comment: string | undefined,
  now: number,
): void {
  const s = c.chosen_satisfaction;
  if (s === null || !isSatisfaction(s)) throw new Error(`case ${c.record_id} rated without a star`);
  rec.satisfaction = s;
  rec.inputSource = c.chosen_source ?? 'touch';
  rec.assessTime = formatCst((c.chosen_ms ?? now) + rec.clockOffsetMs);
  if (detail) {
    rec.evalDetail = detail;
    rec.normVersion = ev.norm_version;
  }
  if (comment) rec.writingEvaluation = comment;
}
