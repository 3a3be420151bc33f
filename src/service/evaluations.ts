import type { StartEvaluationInput } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import { evaluationHasRecords, evaluationRowExists } from '../store/evaluation-records.js';
import { checkpointWhenDue } from '../store/checkpoint.js';
import { cancelEvaluation, type CancelRequest } from './evaluation/cancelling.js';
import { loadEvaluationOrHistory } from './evaluation/history.js';
import { chooseChainMode, expireOne, press, submitReasons } from './evaluation/rating.js';
import { replayFor, startEvaluation, type StartAnswer, type StartContext } from './evaluation/starting.js';
import {
  casesOf,
  loadOpen,
  targetsOf,
  type CaseRow,
  type EvaluationDeps,
  type EvaluationRow,
  type PressInput,
  type PressOutcome,
} from './evaluation/types.js';

export type {
  BoardKeyId,
  CaseRow,
  CommittedChange,
  EvaluationDeps,
  EvaluationRow,
  EvaluationState,
  InputSource,
  Origin,
  PressInput,
  PressOutcome,
} from './evaluation/types.js';
export type { CancelRequest } from './evaluation/cancelling.js';
export type { StartAnswer, StartContext } from './evaluation/starting.js';
export { newEvaluationId, REQUEST_ID_TTL_MS } from './evaluation/starting.js';

/**
 * The 好差评 evaluation lifecycle (domain.md): waiting → rated | reasons → rated | unrated |
 * cancelled. Every command runs one synchronous SQLite transaction and announces its change only
 * after it committed, so whoever acknowledges (board EVENTS_ACK, window API 201, the thanks
 * screen) does so after the effect is durable. The jobs live in ./evaluation/: starting,
 * rating (presses, reasons, time-outs), cancelling, sealing records.
 */
export class EvaluationService {
  constructor(private readonly deps: EvaluationDeps) {}

  // ---- queries --------------------------------------------------------------------------------

  openEvaluation(): { evaluation: EvaluationRow; cases: CaseRow[] } | null {
    return loadOpen(this.deps.db);
  }

  /**
   * One evaluation, open or closed; a folded one (decision 220) as its records tell it
   * (evaluation/history.ts says which of its fields they cannot give back).
   */
  get(id: string): { evaluation: EvaluationRow; cases: CaseRow[] } | null {
    return loadEvaluationOrHistory(this.deps.db, id);
  }

  casesOf(id: string): CaseRow[] {
    return casesOf(this.deps.db, id);
  }

  targetsOf(ev: EvaluationRow, cases: CaseRow[]): CaseRow[] {
    return targetsOf(ev, cases);
  }

  /** The evaluation a requestId started within the last 24 h, if any (window-api.md 1.1). */
  previousStart(requestId: string | undefined): { evaluationId: string } | null {
    return replayFor(this.deps, requestId);
  }

  nextDeadlineMs(): number | null {
    const row = this.deps.db
      .prepare(`SELECT MIN(step_deadline_ms) AS d FROM evaluations WHERE state IN ('waiting', 'reasons')`)
      .get() as { d: number | null };
    return row.d;
  }

  // ---- commands ---------------------------------------------------------------------------------

  /** Window API, staff panel and scanner all end here and obey the same rules. */
  start(input: StartEvaluationInput, ctx: StartContext): StartAnswer {
    const out = startEvaluation(this.deps, input, ctx);
    if (out.replayed) {
      this.deps.log('info', 'start request answered again (same requestId)', {
        evaluationId: out.evaluationId,
      });
      return { evaluationId: out.evaluationId, replayed: true };
    }
    const started = this.get(out.evaluationId);
    if (started) this.deps.onCommitted({ kind: 'started', evaluation: started.evaluation, cases: out.cases });
    this.deps.log('info', 'evaluation started', {
      evaluationId: out.evaluationId,
      cases: out.cases.length,
      origin: ctx.origin,
    });
    this.checkpointBeforeThePress();
    return { evaluationId: out.evaluationId, replayed: false };
  }

  /**
   * The WAL checkpoint, when due, now that the start is committed and announced and before the
   * citizen presses (store/checkpoint.ts, decision 221). A failure is logged, not answered: the
   * start is committed, and SQLite's own checkpoint runs later in a commit as before.
   */
  private checkpointBeforeThePress(): void {
    try {
      const done = checkpointWhenDue(this.deps.db);
      if (done?.busy) this.deps.log('info', 'WAL checkpoint partial (a reader)', { ...done });
    } catch (err) {
      this.deps.log('warn', 'WAL 检查点失败 / WAL checkpoint failed', { error: (err as Error).message });
    }
  }

  cancel(id: string, req: CancelRequest): void {
    const sealed = cancelEvaluation(this.deps, id, req);
    this.deps.log('info', 'evaluation cancelled', {
      evaluationId: id,
      by: req.channel,
      reason: req.reason,
      flags: sealed[0]?.riskFlags ?? [],
    });
    this.deps.onCommitted({ kind: 'cancelled', evaluationId: id, sealed });
  }

  chooseChainMode(id: string, mode: 'overall' | 'each'): void {
    this.deps.onCommitted(chooseChainMode(this.deps, id, mode));
  }

  press(input: PressInput): PressOutcome {
    const { result, change } = press(this.deps, input);
    if (change) this.deps.onCommitted(change);
    return result;
  }

  submitReasons(id: string, codes: string[], comment: string | undefined): { state: 'rated' | 'next_item' } {
    const { result, change } = submitReasons(this.deps, id, codes, comment);
    if (change) this.deps.onCommitted(change);
    return result;
  }

  /**
   * Closes whatever step has passed its deadline. Returns the ids it touched. At start,
   * `setOnAnotherClock` also closes a step whose deadline lies further ahead than a whole step:
   * it was set on the time line of an earlier start whose clock was ahead (an RTC that then died
   * and booted in 2000), so it ran out while the pad was off (decision 195).
   */
  expireDue(opts: { setOnAnotherClock?: boolean } = {}): string[] {
    const now = this.deps.clock.now();
    const t = this.deps.timing();
    const horizon = opts.setOnAnotherClock
      ? now + 1000 * Math.max(t.rateTimeoutS, t.reasonsTimeoutS)
      : Number.MAX_SAFE_INTEGER;
    const due = this.deps.db
      .prepare(
        `SELECT id FROM evaluations WHERE state IN ('waiting', 'reasons')
         AND (step_deadline_ms <= ? OR step_deadline_ms > ?)`,
      )
      .all(now, horizon) as Array<{ id: string }>;
    for (const { id } of due) {
      const change = expireOne(this.deps, id, now);
      if (change) this.deps.onCommitted(change);
    }
    return due.map((d) => d.id);
  }

  // ---- receipts ---------------------------------------------------------------------------------

  /**
   * Records that a receipt print starts; returns whether it is a 补打 copy. A print counts as an
   * original once it did not fail: a job still 'queued' after a crash may have reached the paper,
   * so what follows it is marked as a copy. A folded evaluation is printed again from its
   * records, and the fold keeps its rows here, so its reprint is still a copy.
   */
  beginReceiptPrint(id: string): { printId: number; copy: boolean } {
    const { db, clock } = this.deps;
    return db.transaction(() => {
      if (!evaluationRowExists(db, id) && !evaluationHasRecords(db, id))
        throw new DomainError('not_found', `没有这个评价 / no evaluation ${id}`);
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

  /**
   * The printer's answer to a print begun above; evaluations.receipt_prints counts those on paper
   * (a folded evaluation has no row to count in: its count is read from receipt_prints).
   */
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
}
