import { randomBytes } from 'node:crypto';
import type { CaseInput, StartEvaluationInput } from '../../api/contract.js';
import { DomainError } from '../../domain/errors.js';
import { loadOpen, type CaseRow, type EvaluationDeps, type Origin } from './types.js';
import { caseRated, lastAttemptAbandonedBad, lastClosedVisit } from '../../store/case-memory.js';
import { recordIdOf } from '../../store/record-ids.js';

/** A business system's retry within this time gets the first answer (window-api.md 1.1). */
export const REQUEST_ID_TTL_MS = 24 * 3600_000;

export interface StartContext {
  origin: Origin;
  staff: { staffId: string; name: string };
  /**
   * The highest visit the platform holds per 承诺件 projectNo (GET /v1/cases), asked before the
   * transaction because it is a network call; absent when offline or never asked.
   */
  platformLastVisit?: ReadonlyMap<string, number>;
}

export interface StartAnswer {
  evaluationId: string;
  /** true when this requestId was answered before: nothing new was started */
  replayed: boolean;
}

/** The answer stored for a requestId seen within 24 h, or null. */
export function replayFor(deps: Pick<EvaluationDeps, 'db' | 'clock'>, requestId: string | undefined) {
  if (requestId === undefined) return null;
  const row = deps.db
    .prepare(
      'SELECT evaluation_id AS evaluationId, created_ms AS createdMs FROM start_requests WHERE request_id = ?',
    )
    .get(requestId) as { evaluationId: string; createdMs: number } | undefined;
  if (!row || deps.clock.now() - row.createdMs >= REQUEST_ID_TTL_MS) return null;
  return { evaluationId: row.evaluationId };
}

/**
 * Starts an evaluation in one transaction. A `requestId` seen within 24 h starts nothing and
 * answers the first start again (checked before "busy": the retry usually arrives while the
 * first evaluation is still open). Only a start is remembered: a refused request started
 * nothing, so its retry may try again.
 */
export function startEvaluation(
  deps: EvaluationDeps,
  input: StartEvaluationInput,
  ctx: StartContext,
): StartAnswer & { cases: CaseRow[] } {
  const { db, clock } = deps;
  const now = clock.now();
  const timing = deps.timing();
  const norms = deps.norms();
  const windowNo = deps.hall().windowNo; // read before the transaction (types.ts settledDeps)
  return db.transaction(() => {
    const replay = replayFor(deps, input.requestId);
    if (replay) return { evaluationId: replay.evaluationId, replayed: true, cases: [] };
    if (loadOpen(db))
      throw new DomainError('busy', '本窗口已有一个正在进行的评价 / another evaluation is open on this pad');
    assertDistinctCases(input.cases);
    const id = newEvaluationId(now);
    const multi = input.cases.length > 1;
    const rows: CaseRow[] = input.cases.map((c, idx) => ({
      evaluation_id: id,
      idx,
      grouped: multi ? 1 : 0,
      record_id: recordIdOf(id, idx, multi),
      project_no: c.projectNo,
      service_number: serviceNumberFor(deps, c, ctx.platformLastVisit?.get(c.projectNo)),
      task_code: c.taskCode,
      task_name: c.taskName,
      promise_type: c.promiseType,
      chosen_satisfaction: null,
      chosen_source: null,
      chosen_ms: null,
      outcome: null,
    }));
    const flags = rows.some((r) => lastAttemptAbandonedBad(deps.db, r.project_no))
      ? ['restart_after_bad']
      : [];
    db.prepare(
      `INSERT INTO evaluations (id, state, group_type, chain_mode, staff_id, staff_name, window_no, origin,
         started_ms, prompt_ms, step_deadline_ms, norm_version, risk_flags, inputs_after)
       VALUES (?, 'waiting', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM raw_inputs))`,
    ).run(
      id,
      multi ? (input.groupType ?? null) : null,
      ctx.staff.staffId,
      ctx.staff.name,
      windowNo,
      ctx.origin,
      now,
      now,
      now + timing.rateTimeoutS * 1000,
      norms.version,
      JSON.stringify(flags),
    );
    const insertCase = db.prepare(
      // record_id is computed by the table from these (decision 211): the same as rows[].record_id
      `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type)
       VALUES (@evaluation_id, @idx, @grouped, @project_no, @service_number, @task_code, @task_name, @promise_type)`,
    );
    for (const r of rows) insertCase.run(r);
    if (input.requestId !== undefined) {
      db.prepare('DELETE FROM start_requests WHERE created_ms < ?').run(now - REQUEST_ID_TTL_MS);
      db.prepare(
        `INSERT OR REPLACE INTO start_requests (request_id, evaluation_id, status, answer, created_ms) VALUES (?, ?, 201, ?, ?)`,
      ).run(input.requestId, id, JSON.stringify({ evaluationId: id, state: 'waiting' }), now);
    }
    if (flags.length > 0)
      deps.log('info', 'evaluation restarts a case left as an abandoned 差评', { evaluationId: id });
    return { evaluationId: id, replayed: false, cases: rows };
  })();
}

/** One case once per evaluation, whether or not a serviceNumber was given (domain.md 二(四)2). */
function assertDistinctCases(cases: CaseInput[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.projectNo))
      throw new DomainError(
        'invalid',
        `cases: 办件 ${c.projectNo} 重复 / the same case is listed twice`,
        'cases',
      );
    seen.add(c.projectNo);
  }
}

/**
 * 即办件: one evaluation, refused once rated. 承诺件: one per visit; without an explicit
 * serviceNumber, the visit after the highest one the platform holds (asked when online) or
 * this pad knows.
 */
function serviceNumberFor(
  deps: Pick<EvaluationDeps, 'db'>,
  c: CaseInput,
  platformLast: number | undefined,
): number {
  const { db } = deps;
  const ratedExists = (serviceNumber: number | null) => caseRated(db, c.projectNo, serviceNumber);
  if (c.promiseType === 1) {
    if (ratedExists(null)) {
      throw new DomainError(
        'already_rated',
        `即办件 ${c.projectNo} 已评价，不能重复评价 / this case already has a rating`,
        'cases',
      );
    }
    return c.serviceNumber ?? 1;
  }
  if (c.serviceNumber !== undefined) {
    if (ratedExists(c.serviceNumber)) {
      throw new DomainError(
        'already_rated',
        `承诺件 ${c.projectNo} 第 ${c.serviceNumber} 次服务已评价 / this visit already has a rating`,
        'cases',
      );
    }
    return c.serviceNumber;
  }
  return Math.max(lastClosedVisit(db, c.projectNo), platformLast ?? 0) + 1;
}

/** Time-ordered and unguessable: `E` + ms in base 36 + 12 random hex digits (≤ 64 with a -NN suffix). */
export function newEvaluationId(nowMs: number): string {
  return `E${nowMs.toString(36).toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`;
}
