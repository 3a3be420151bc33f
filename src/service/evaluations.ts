import { randomBytes } from 'node:crypto';
import { ApiError, type CaseInput, type StartEvaluationInput } from '../api/contract.js';
import type { Clock } from '../domain/clock.js';
import { isBadReview, isSatisfaction, type Satisfaction } from '../domain/levels.js';
import type { PlatformRecord, UnsealedRecord } from '../domain/record.js';
import { formatCst } from '../domain/time.js';
import type { Db } from '../store/db.js';
import { appendRecords } from '../store/records.js';
import { computeRiskFlags } from './risk-input.js';
import type { HallIdentity, Logger, Norms, TimingConfig } from '../domain/types.js';

export type EvaluationState = 'waiting' | 'reasons' | 'rated' | 'unrated' | 'cancelled';
export type Origin = 'window_api' | 'staff_panel' | 'scanner';
export type InputSource = 'key' | 'touch';

export interface EvaluationRow {
  id: string;
  state: EvaluationState;
  group_type: 'batch' | 'chain' | null;
  chain_mode: 'overall' | 'each' | null;
  current_idx: number;
  staff_id: string;
  staff_name: string;
  window_no: string;
  origin: Origin;
  started_ms: number;
  prompt_ms: number;
  step_deadline_ms: number | null;
  closed_ms: number | null;
  close_reason: string | null;
  cancelled_by: string | null;
  norm_version: string;
  risk_flags: string;
  receipt_prints: number;
}

export interface CaseRow {
  evaluation_id: string;
  idx: number;
  record_id: string;
  project_no: string;
  service_number: number;
  task_code: string;
  task_name: string;
  promise_type: 1 | 2;
  chosen_satisfaction: number | null;
  chosen_source: InputSource | null;
  chosen_ms: number | null;
  eval_detail: string | null;
  writing_evaluation: string | null;
  outcome: 'rated' | 'unrated' | 'cancelled' | null;
}

export interface BoardKeyId {
  serial: string;
  bootId: number;
  counter: number;
}

export interface PressInput {
  source: InputSource;
  key: number;
  board?: BoardKeyId;
  /** the touch screen names the evaluation it was showing, so a stale tap can't rate the next one */
  evaluationId?: string;
}

export type PressOutcome =
  | { disposition: 'duplicate' }
  | { disposition: 'no_evaluation' }
  | { disposition: 'not_first' }
  | { disposition: 'not_a_star' }
  | {
      disposition: 'rating';
      evaluationId: string;
      next: 'rated' | 'reasons' | 'next_item';
      sealed: PlatformRecord[];
    };

export interface EvaluationDeps {
  db: Db;
  clock: Clock;
  timing: () => TimingConfig;
  hall: () => HallIdentity;
  norms: () => Norms;
  clockOffsetMs: () => number;
  log: Logger;
  /** after every committed change: push snapshots, drive LEDs, kick the uploader */
  onCommitted: (change: CommittedChange) => void;
}

export type CommittedChange =
  | { kind: 'started'; evaluation: EvaluationRow; cases: CaseRow[] }
  | { kind: 'cancelled'; evaluationId: string }
  | { kind: 'step'; evaluationId: string; state: EvaluationState }
  | {
      kind: 'closed';
      evaluationId: string;
      outcome: 'rated' | 'unrated';
      sealed: PlatformRecord[];
      chosenKey: number | null;
    }
  | { kind: 'stray_press' };

/**
 * The 好差评 evaluation lifecycle (domain.md): waiting → rated | reasons → rated | unrated |
 * cancelled. Every public method runs one synchronous SQLite transaction and returns only after it
 * committed, so whoever acknowledges (board EVENTS_ACK, window API 201, the thanks screen) does so
 * after the effect is durable.
 */
export class EvaluationService {
  constructor(private readonly deps: EvaluationDeps) {}

  // ---- queries --------------------------------------------------------------------------------

  openEvaluation(): { evaluation: EvaluationRow; cases: CaseRow[] } | null {
    const ev = this.deps.db
      .prepare(
        `SELECT * FROM evaluations WHERE state IN ('waiting', 'reasons') ORDER BY started_ms DESC LIMIT 1`,
      )
      .get() as EvaluationRow | undefined;
    if (!ev) return null;
    return { evaluation: ev, cases: this.casesOf(ev.id) };
  }

  get(id: string): { evaluation: EvaluationRow; cases: CaseRow[] } | null {
    const ev = this.deps.db.prepare('SELECT * FROM evaluations WHERE id = ?').get(id) as
      EvaluationRow | undefined;
    return ev ? { evaluation: ev, cases: this.casesOf(ev.id) } : null;
  }

  casesOf(id: string): CaseRow[] {
    return this.deps.db
      .prepare('SELECT * FROM evaluation_cases WHERE evaluation_id = ? ORDER BY idx')
      .all(id) as CaseRow[];
  }

  /** The cases the current step rates: all of them, or the current item in chain 'each' mode. */
  targetsOf(ev: EvaluationRow, cases: CaseRow[]): CaseRow[] {
    if (ev.group_type === 'chain' && ev.chain_mode === 'each') {
      const c = cases.find((x) => x.idx === ev.current_idx);
      return c ? [c] : [];
    }
    return cases.filter((c) => c.outcome === null);
  }

  // ---- commands ---------------------------------------------------------------------------------

  /** Window API, staff panel and scanner all end here and obey the same rules. */
  start(
    input: StartEvaluationInput,
    ctx: { origin: Origin; staff: { staffId: string; name: string } },
  ): { evaluationId: string } {
    const { db, clock } = this.deps;
    const now = clock.now();
    const timing = this.deps.timing();
    const norms = this.deps.norms();
    const id = newEvaluationId(now);
    const multi = input.cases.length > 1;
    const result = db.transaction(() => {
      if (this.openEvaluation())
        throw new ApiError('busy', '本窗口已有一个正在进行的评价 / another evaluation is open on this pad');
      const rows: CaseRow[] = input.cases.map((c, idx) => ({
        evaluation_id: id,
        idx,
        record_id: multi ? `${id}-${idx + 1}` : id,
        project_no: c.projectNo,
        service_number: this.serviceNumberFor(c),
        task_code: c.taskCode,
        task_name: c.taskName,
        promise_type: c.promiseType,
        chosen_satisfaction: null,
        chosen_source: null,
        chosen_ms: null,
        eval_detail: null,
        writing_evaluation: null,
        outcome: null,
      }));
      const groupType = multi ? (input.groupType ?? null) : null;
      db.prepare(
        `INSERT INTO evaluations (id, state, group_type, chain_mode, staff_id, staff_name, window_no, origin,
           started_ms, prompt_ms, step_deadline_ms, norm_version)
         VALUES (?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        groupType,
        null,
        ctx.staff.staffId,
        ctx.staff.name,
        this.deps.hall().windowNo,
        ctx.origin,
        now,
        now,
        now + timing.rateTimeoutS * 1000,
        norms.version,
      );
      const insertCase = db.prepare(
        `INSERT INTO evaluation_cases (evaluation_id, idx, record_id, project_no, service_number, task_code, task_name, promise_type)
         VALUES (@evaluation_id, @idx, @record_id, @project_no, @service_number, @task_code, @task_name, @promise_type)`,
      );
      for (const r of rows) insertCase.run(r);
      return rows;
    })();
    const started = this.get(id);
    if (started) this.deps.onCommitted({ kind: 'started', evaluation: started.evaluation, cases: result });
    this.deps.log('info', 'evaluation started', {
      evaluationId: id,
      cases: result.length,
      origin: ctx.origin,
    });
    return { evaluationId: id };
  }

  /**
   * 即办件: one evaluation, refused once rated. 承诺件: one per visit; without an explicit
   * serviceNumber the next visit number this pad knows for the case.
   */
  private serviceNumberFor(c: CaseInput): number {
    const { db } = this.deps;
    const ratedExists = (serviceNumber: number | null) =>
      db
        .prepare(
          `SELECT 1 FROM evaluation_cases WHERE project_no = ? AND outcome = 'rated' ${serviceNumber === null ? '' : 'AND service_number = ?'} LIMIT 1`,
        )
        .get(...(serviceNumber === null ? [c.projectNo] : [c.projectNo, serviceNumber])) !== undefined;
    if (c.promiseType === 1) {
      if (ratedExists(null)) {
        throw new ApiError(
          'already_rated',
          `即办件 ${c.projectNo} 已评价，不能重复评价 / this case already has a rating`,
          'cases',
        );
      }
      return c.serviceNumber ?? 1;
    }
    if (c.serviceNumber !== undefined) {
      if (ratedExists(c.serviceNumber)) {
        throw new ApiError(
          'already_rated',
          `承诺件 ${c.projectNo} 第 ${c.serviceNumber} 次服务已评价 / this visit already has a rating`,
          'cases',
        );
      }
      return c.serviceNumber;
    }
    const row = db
      .prepare(
        `SELECT MAX(service_number) AS last FROM evaluation_cases WHERE project_no = ? AND outcome IN ('rated', 'unrated')`,
      )
      .get(c.projectNo) as { last: number | null };
    return (row.last ?? 0) + 1;
  }

  cancel(id: string, by: string): void {
    const { db, clock } = this.deps;
    db.transaction(() => {
      const found = this.get(id);
      if (!found) throw new ApiError('not_found', `没有这个评价 / no evaluation ${id}`);
      const { evaluation, cases } = found;
      // Once the citizen has touched a star the evaluation belongs to them: cancelling then would
      // let staff suppress a bad review.
      if (
        evaluation.state !== 'waiting' ||
        cases.some((c) => c.chosen_satisfaction !== null || c.outcome !== null)
      ) {
        throw new ApiError(
          'not_cancellable',
          '评价已开始或已结束，不能撤销 / only an evaluation still waiting can be cancelled',
        );
      }
      const now = clock.now();
      db.prepare(
        `UPDATE evaluations SET state = 'cancelled', closed_ms = ?, close_reason = 'cancelled', cancelled_by = ?, step_deadline_ms = NULL WHERE id = ?`,
      ).run(now, by, id);
      db.prepare(`UPDATE evaluation_cases SET outcome = 'cancelled' WHERE evaluation_id = ?`).run(id);
    })();
    this.deps.log('info', 'evaluation cancelled', { evaluationId: id, by });
    this.deps.onCommitted({ kind: 'cancelled', evaluationId: id });
  }

  chooseChainMode(id: string, mode: 'overall' | 'each'): void {
    const { db } = this.deps;
    db.transaction(() => {
      const open = this.requireOpen(id);
      if (open.evaluation.group_type !== 'chain')
        throw new ApiError('invalid', '这不是一链办评价 / not a chain evaluation', 'mode');
      if (open.evaluation.chain_mode !== null)
        throw new ApiError('invalid', '评价方式已选择 / mode already chosen', 'mode');
      db.prepare('UPDATE evaluations SET chain_mode = ? WHERE id = ?').run(mode, id);
    })();
    this.deps.onCommitted({ kind: 'step', evaluationId: id, state: 'waiting' });
  }

  /** A key press on the board or a touch on a star. Only the first one of each step counts. */
  press(input: PressInput): PressOutcome {
    const { db, clock } = this.deps;
    const now = clock.now();
    let closed: CommittedChange | null = null;
    const outcome = db.transaction((): PressOutcome => {
      if (input.board) {
        const seen = db
          .prepare('SELECT 1 FROM raw_inputs WHERE board_serial = ? AND boot_id = ? AND counter = ?')
          .get(input.board.serial, input.board.bootId, input.board.counter);
        if (seen) return { disposition: 'duplicate' };
      }
      const logInput = (disposition: string, evaluationId: string | null) =>
        db
          .prepare(
            `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            now,
            input.source,
            input.key,
            input.board?.serial ?? null,
            input.board?.bootId ?? null,
            input.board?.counter ?? null,
            disposition,
            evaluationId,
          );

      const open = this.openEvaluation();
      if (!open || (input.evaluationId !== undefined && input.evaluationId !== open.evaluation.id)) {
        logInput('no_evaluation', input.evaluationId ?? null);
        return { disposition: 'no_evaluation' };
      }
      const { evaluation: ev } = open;
      if (!isSatisfaction(input.key)) {
        logInput('not_a_star', ev.id);
        return { disposition: 'not_a_star' };
      }
      if (ev.state !== 'waiting') {
        logInput('not_first', ev.id);
        return { disposition: 'not_first' };
      }
      let chainMode = ev.chain_mode;
      if (ev.group_type === 'chain' && chainMode === null) {
        // A star pressed before choosing how to rate a chain is an overall rating: a citizen at the
        // physical keys can't see the choice, and one rating for all is what they meant.
        chainMode = 'overall';
        db.prepare(`UPDATE evaluations SET chain_mode = 'overall' WHERE id = ?`).run(ev.id);
        ev.chain_mode = chainMode;
      }
      logInput('rating', ev.id);
      const satisfaction = input.key as Satisfaction;
      const targets = this.targetsOf(ev, open.cases);
      const markChosen = db.prepare(
        'UPDATE evaluation_cases SET chosen_satisfaction = ?, chosen_source = ?, chosen_ms = ? WHERE evaluation_id = ? AND idx = ?',
      );
      for (const t of targets) markChosen.run(satisfaction, input.source, now, ev.id, t.idx);

      const norms = this.deps.norms();
      const timing = this.deps.timing();
      const offersExtras = norms.items.some((i) => i.starLevel === satisfaction);
      if (isBadReview(satisfaction) || (input.source === 'touch' && offersExtras)) {
        const timeoutS = isBadReview(satisfaction) ? timing.reasonsTimeoutS : timing.optionalExtrasTimeoutS;
        db.prepare(`UPDATE evaluations SET state = 'reasons', step_deadline_ms = ? WHERE id = ?`).run(
          now + timeoutS * 1000,
          ev.id,
        );
        return { disposition: 'rating', evaluationId: ev.id, next: 'reasons', sealed: [] };
      }
      const result = this.finishStep(ev.id, 'rated', { codes: [], comment: undefined }, now);
      closed = result.closed;
      return { disposition: 'rating', evaluationId: ev.id, next: result.next, sealed: result.sealed };
    })();
    if (outcome.disposition === 'no_evaluation') this.deps.onCommitted({ kind: 'stray_press' });
    else if (outcome.disposition === 'rating') {
      this.deps.onCommitted(
        closed ?? {
          kind: 'step',
          evaluationId: outcome.evaluationId,
          state: outcome.next === 'reasons' ? 'reasons' : 'waiting',
        },
      );
    }
    return outcome;
  }

  submitReasons(id: string, codes: string[], comment: string | undefined): { state: 'rated' | 'next_item' } {
    const { db, clock } = this.deps;
    const now = clock.now();
    let closed: CommittedChange | null = null;
    const next = db.transaction(() => {
      const open = this.requireOpen(id);
      if (open.evaluation.state !== 'reasons')
        throw new ApiError('invalid', '当前不在选择原因步骤 / not at the reasons step', 'codes');
      const targets = this.targetsOf(open.evaluation, open.cases);
      const chosen = targets[0]?.chosen_satisfaction;
      if (chosen === null || chosen === undefined) throw new ApiError('invalid', 'no star chosen', 'codes');
      const norms = this.deps.norms();
      const allowed = new Set(norms.items.filter((i) => i.starLevel === chosen).map((i) => i.code));
      const unique = [...new Set(codes)];
      const bad = unique.find((c) => !allowed.has(c));
      if (bad !== undefined)
        throw new ApiError(
          'invalid',
          `指标 ${bad} 不属于 ${chosen} 星 / indicator ${bad} is not offered for ${chosen} stars`,
          'codes',
        );
      const text = comment?.trim() || undefined;
      if (isBadReview(chosen) && unique.length === 0 && !text) {
        throw new ApiError(
          'reasons_required',
          '差评请至少选择一项原因或填写意见 / choose at least one reason or write a comment',
          'codes',
        );
      }
      const result = this.finishStep(id, 'rated', { codes: unique, comment: text }, now);
      closed = result.closed;
      return result.next;
    })();
    this.deps.onCommitted(closed ?? { kind: 'step', evaluationId: id, state: 'waiting' });
    return { state: next === 'next_item' ? 'next_item' : 'rated' };
  }

  /** Closes whatever step has passed its deadline. Returns the ids it touched. */
  expireDue(): string[] {
    const { db, clock } = this.deps;
    const now = clock.now();
    const due = db
      .prepare(`SELECT id FROM evaluations WHERE state IN ('waiting', 'reasons') AND step_deadline_ms <= ?`)
      .all(now) as Array<{ id: string }>;
    const touched: string[] = [];
    for (const { id } of due) {
      let closed: CommittedChange | null = null;
      db.transaction(() => {
        const open = this.get(id);
        if (!open || (open.evaluation.state !== 'waiting' && open.evaluation.state !== 'reasons')) return;
        const targets = this.targetsOf(open.evaluation, open.cases);
        const optionalExtras =
          open.evaluation.state === 'reasons' &&
          targets.every((t) => t.chosen_satisfaction !== null && !isBadReview(t.chosen_satisfaction));
        if (optionalExtras) {
          // The optional extras step ran out: the star stands as the rating.
          closed = this.finishStep(id, 'rated', { codes: [], comment: undefined }, now).closed;
        } else {
          // Nothing valid was given in time: this and every remaining item close unrated.
          closed = this.finishStep(id, 'unrated', { codes: [], comment: undefined }, now, {
            closeAll: true,
          }).closed;
        }
      })();
      touched.push(id);
      this.deps.onCommitted(closed ?? { kind: 'step', evaluationId: id, state: 'waiting' });
    }
    return touched;
  }

  nextDeadlineMs(): number | null {
    const row = this.deps.db
      .prepare(`SELECT MIN(step_deadline_ms) AS d FROM evaluations WHERE state IN ('waiting', 'reasons')`)
      .get() as { d: number | null };
    return row.d;
  }

  /**
   * Records that a receipt print starts; returns whether it is a 补打 copy. A print counts as an
   * original once it did not fail: a job still 'queued' after a crash may have reached the paper,
   * so what follows it is marked as a copy.
   */
  beginReceiptPrint(id: string): { printId: number; copy: boolean } {
    const { db, clock } = this.deps;
    return db.transaction(() => {
      const ev = db.prepare('SELECT id FROM evaluations WHERE id = ?').get(id);
      if (!ev) throw new ApiError('not_found', `没有这个评价 / no evaluation ${id}`);
      const earlier = db
        .prepare(`SELECT COUNT(*) AS n FROM receipt_prints WHERE evaluation_id = ? AND result <> 'failed'`)
        .get(id) as { n: number };
      const copy = earlier.n > 0;
      const r = db
        .prepare(
          `INSERT INTO receipt_prints (evaluation_id, copy, requested_ms, result) VALUES (?, ?, ?, 'queued')`,
        )
        .run(id, copy ? 1 : 0, clock.now());
      return { printId: Number(r.lastInsertRowid), copy };
    })();
  }

  /** The printer's answer to a print begun above; evaluations.receipt_prints counts those on paper. */
  finishReceiptPrint(printId: number, result: 'printed' | 'partial' | 'failed'): void {
    const { db } = this.deps;
    db.transaction(() => {
      db.prepare('UPDATE receipt_prints SET result = ? WHERE id = ?').run(result, printId);
      if (result !== 'failed')
        db.prepare(
          'UPDATE evaluations SET receipt_prints = receipt_prints + 1 WHERE id = (SELECT evaluation_id FROM receipt_prints WHERE id = ?)',
        ).run(printId);
    })();
  }

  // ---- internals --------------------------------------------------------------------------------

  private requireOpen(id: string): { evaluation: EvaluationRow; cases: CaseRow[] } {
    const open = this.openEvaluation();
    if (!open || open.evaluation.id !== id)
      throw new ApiError('not_open', `评价 ${id} 不在进行中 / evaluation ${id} is not open`);
    return open;
  }

  /**
   * Seals the current step's cases (must run inside a transaction) and moves on: to the next item
   * of a chain rated item by item, or closes the evaluation.
   */
  private finishStep(
    id: string,
    outcome: 'rated' | 'unrated',
    reasons: { codes: string[]; comment: string | undefined },
    now: number,
    opts: { closeAll?: boolean } = {},
  ): { next: 'rated' | 'next_item'; sealed: PlatformRecord[]; closed: CommittedChange | null } {
    const { db } = this.deps;
    const found = this.get(id);
    if (!found) throw new Error(`evaluation ${id} vanished`);
    const { evaluation: ev, cases } = found;
    const targets = opts.closeAll ? cases.filter((c) => c.outcome === null) : this.targetsOf(ev, cases);
    const detail = reasons.codes.join(',');
    const setOutcome = db.prepare(
      'UPDATE evaluation_cases SET outcome = ?, eval_detail = ?, writing_evaluation = ? WHERE evaluation_id = ? AND idx = ?',
    );
    const unsealed: UnsealedRecord[] = [];
    const riskFlags = outcome === 'rated' ? computeRiskFlags(db, ev, targets, now) : [];
    for (const t of targets) {
      setOutcome.run(
        outcome,
        outcome === 'rated' && detail ? detail : null,
        outcome === 'rated' ? (reasons.comment ?? null) : null,
        id,
        t.idx,
      );
      unsealed.push(this.buildRecord(ev, t, outcome, detail, reasons.comment, riskFlags, now));
    }
    const sealed = appendRecords(db, unsealed, now);
    const remaining = cases.filter((c) => c.outcome === null && !targets.some((t) => t.idx === c.idx));
    if (remaining.length > 0 && ev.group_type === 'chain' && ev.chain_mode === 'each') {
      const timing = this.deps.timing();
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

  private buildRecord(
    ev: EvaluationRow,
    c: CaseRow,
    outcome: 'rated' | 'unrated',
    detail: string,
    comment: string | undefined,
    riskFlags: string[],
    now: number,
  ): UnsealedRecord {
    const hall = this.deps.hall();
    const offset = Math.round(this.deps.clockOffsetMs());
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
      status: outcome,
      startedTime: formatCst(ev.started_ms + offset),
      deviceTimeMs: now,
      clockOffsetMs: offset,
    };
    if (ev.group_type) {
      rec.groupId = ev.id;
      rec.groupType = ev.group_type;
    }
    if (outcome === 'rated') {
      const s = c.chosen_satisfaction;
      if (s === null || !isSatisfaction(s)) throw new Error(`case ${c.record_id} rated without a star`);
      rec.satisfaction = s;
      rec.inputSource = c.chosen_source ?? 'touch';
      rec.assessTime = formatCst((c.chosen_ms ?? now) + offset);
      if (detail) {
        rec.evalDetail = detail;
        rec.normVersion = ev.norm_version;
      }
      if (comment) rec.writingEvaluation = comment;
      if (riskFlags.length > 0) rec.riskFlags = riskFlags;
    }
    return rec;
  }
}

/** Time-ordered and unguessable: `E` + ms in base 36 + 12 random hex digits (≤ 64 with a -NN suffix). */
export function newEvaluationId(nowMs: number): string {
  return `E${nowMs.toString(36).toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
}
