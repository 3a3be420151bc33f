import { cstDate, parseCst } from '../../domain/time.js';
import type { Db } from '../../store/db.js';
import {
  evaluationRowExists,
  firstFoldedSeq,
  receiptsOnPaper,
  recordsOfEvaluation,
  walkStaffRecords,
  type EvaluationRecord,
  type SealedRecord,
} from '../../store/evaluation-records.js';
import { loadEvaluation, type CaseRow, type EvaluationRow, type Loaded } from './types.js';

/**
 * A folded evaluation (decision 220: its working rows deleted a few hours after it closed) read
 * back from its sealed records, in the shape of its working rows, so that whoever asks about one
 * evaluation — the window API, a receipt reprint, the staff panel — gets the same answer before
 * and after the fold.
 *
 * What the records do not hold, and so is not what the working rows said:
 * - `origin`: no record names the channel that started it. Nothing reads it after the start (the
 *   start's own log takes it from the request), so a folded evaluation says 'window_api'.
 * - `inputs_after`: the presses it pointed into are folded with it; 0.
 * - `prompt_ms`: the start, except for a chain rated item by item past its first item (that
 *   item's prompt was the previous item's seal); a chain's prompt moved by choosing the mode on
 *   the screen is not kept. Only the risk rules of an open evaluation read it.
 * - `norm_version`: in a record only beside reason codes; '' otherwise.
 * - `chain_mode`: a chain whose mode was never chosen is 'overall', as its records were offered.
 * - `cancelled_by`: the staff member the record names, not the channel that asked (the row's
 *   `staff_panel:T0107`).
 * - `risk_flags`: the last sealed record's flags; a cancelled row kept only the cancel's own flags,
 *   its records also carry those of the start.
 * - times: `started_ms` and `chosen_ms` come from the records' CST texts, whole seconds on the
 *   platform's time line, taken back by the record's clock offset: exact for a pad whose offset is
 *   whole seconds, otherwise within a second. A chosen star of a case left unrated (an abandoned
 *   差评) keeps its star but not its time or source: the record has neither.
 * - `receipt_prints`: counted from `receipt_prints`, which the fold keeps.
 *
 * Only an evaluation id has a folded history: a record id `E…-2` (case 2 of batch or chain `E…`)
 * is null here, as an unknown id, whatever the state of `E…` (record-ids.ts `isEvaluationId`).
 */
export function loadFoldedEvaluation(db: Db, id: string): Loaded | null {
  const recs = recordsOfEvaluation(db, id);
  if (recs.length === 0) return null;
  return fromRecords(id, recs, receiptsOnPaper(db, [id]).get(id) ?? 0);
}

/** The evaluation from its working rows, or from its records once it was folded. */
export function loadEvaluationOrHistory(db: Db, id: string): Loaded | null {
  return loadEvaluation(db, id) ?? loadFoldedEvaluation(db, id);
}

export interface FoldedSummary {
  id: string;
  state: 'done' | 'cancelled';
  startedMs: number;
  projectNos: string[];
  taskNames: string[];
  receiptPrints: number;
}

/**
 * Days before the CST day of `sinceMs` whose folded evaluations the recent list still looks for:
 * `day_figures` places an evaluation by its start with the clock offset of its fold, the list by
 * its start on the pad's clock.
 */
const FOLDED_DAY_SLACK_MS = 2 * 86_400_000;

/**
 * The staff member's latest folded evaluations started since `sinceMs` (pad clock), newest
 * sealed first, at most `limit`. The records walked are bounded by deviceSeq, not by time (the pad
 * clock goes back between runs: a run with the RTC in 2000 seals records dated then after this
 * month's): from the newest down to the first record of the evaluations `day_figures` has folded
 * for this staff member on the days since `sinceMs` (with two days of slack), passing over those
 * still live or started before `sinceMs`. With nothing folded in that time there is no walk.
 * A folded evaluation whose day figures retention took is not looked for: retention takes them
 * at the bound it prunes records at.
 */
export function foldedRecent(db: Db, staffId: string, sinceMs: number, limit: number): FoldedSummary[] {
  const fromSeq = firstFoldedSeq(db, staffId, cstDate(sinceMs - FOLDED_DAY_SLACK_MS));
  if (fromSeq === null || limit <= 0) return [];
  const found = new Map<string, EvaluationRecord[]>();
  /** evaluations whose records the walk passes over: still live, or started before `sinceMs` */
  const passed = new Set<string>();
  walkStaffRecords(db, staffId, fromSeq, (r) => {
    const recs = found.get(r.evaluationId);
    if (recs) {
      recs.push(r);
      return 'more';
    }
    if (passed.has(r.evaluationId)) return 'more';
    if (found.size >= limit) return 'stop';
    if (evaluationRowExists(db, r.evaluationId) || startedMsOf(r.record) < sinceMs)
      passed.add(r.evaluationId);
    else found.set(r.evaluationId, [r]);
    return 'more';
  });
  const prints = receiptsOnPaper(db, [...found.keys()]);
  return [...found].map(([id, recs]) => {
    const { evaluation, cases } = fromRecords(id, recs, prints.get(id) ?? 0);
    return {
      id,
      state: evaluation.state === 'cancelled' ? 'cancelled' : 'done',
      startedMs: evaluation.started_ms,
      projectNos: cases.map((c) => c.project_no),
      taskNames: cases.map((c) => c.task_name),
      receiptPrints: evaluation.receipt_prints,
    };
  });
}

/** The pad-clock time a record's CST text stands for. */
function padMs(rec: SealedRecord, cst: string): number {
  return parseCst(cst) - rec.clockOffsetMs;
}

function startedMsOf(rec: SealedRecord): number {
  return padMs(rec, rec.startedTime);
}

function fromRecords(
  id: string,
  given: Array<Pick<EvaluationRecord, 'deviceSeq' | 'idx' | 'grouped' | 'record'>>,
  receiptPrints: number,
): Loaded {
  const recs = [...given].sort((a, b) => a.idx - b.idx);
  // The records sealed by the step that closed it come last in the chain.
  const closing = given.reduce((a, b) => (b.deviceSeq > a.deviceSeq ? b : a));
  const last = closing.record;
  const statuses = recs.map((r) => r.record.status);
  const state = statuses.includes('cancelled')
    ? 'cancelled'
    : statuses.includes('rated')
      ? 'rated'
      : 'unrated';
  const startedMs = startedMsOf(last);
  const eachItem = last.groupType === 'chain' && last.groupMode === 'each';
  const currentIdx = eachItem && state !== 'cancelled' ? closingItem(recs) : 0;
  // A chain rated item by item prompted each item when the one before it was sealed.
  const promptedBy = currentIdx > 0 ? recs.find((r) => r.idx === currentIdx - 1) : undefined;
  const evaluation: EvaluationRow = {
    id,
    state,
    group_type: last.groupType ?? null,
    chain_mode: last.groupType === 'chain' ? (last.groupMode ?? 'overall') : null,
    current_idx: currentIdx,
    staff_id: last.staffId,
    staff_name: last.staffName,
    window_no: last.windowNo,
    origin: 'window_api',
    started_ms: startedMs,
    prompt_ms: promptedBy ? promptedBy.record.deviceTimeMs : startedMs,
    step_deadline_ms: null,
    closed_ms: Math.max(...recs.map((r) => r.record.deviceTimeMs)),
    close_reason: last.status === 'unrated' ? 'timeout' : last.status,
    cancelled_by: last.cancelledBy ?? null,
    cancel_reason: last.cancelReason ?? null,
    norm_version: recs.find((r) => r.record.normVersion !== undefined)?.record.normVersion ?? '',
    risk_flags: JSON.stringify(last.riskFlags ?? []),
    receipt_prints: receiptPrints,
    inputs_after: 0,
  };
  const cases = recs.map(({ idx, grouped, record: r }): CaseRow => ({
    evaluation_id: id,
    idx,
    grouped: grouped ? 1 : 0,
    record_id: r.evaluationId,
    project_no: r.projectNo,
    service_number: r.serviceNumber,
    task_code: r.taskCode,
    task_name: r.taskName,
    promise_type: r.promiseType,
    chosen_satisfaction: r.satisfaction ?? r.abandonedSatisfaction ?? null,
    chosen_source: r.inputSource ?? null,
    chosen_ms: r.assessTime === undefined ? null : padMs(r, r.assessTime),
    outcome: r.status,
  }));
  return { evaluation, cases };
}

/**
 * The item a chain rated item by item was at when it closed: its items before are sealed one by
 * one as rated, and a time-out closes the item it was at and every later one unrated together.
 */
function closingItem(recs: Array<Pick<EvaluationRecord, 'idx' | 'record'>>): number {
  const unrated = recs.filter((r) => r.record.status === 'unrated').map((r) => r.idx);
  return unrated.length > 0 ? Math.min(...unrated) : Math.max(...recs.map((r) => r.idx));
}
