import { DEFAULT_RISK_POLICY, riskFlags, type Press, type StaffRating } from '../domain/risk.js';
import type { Db } from './db.js';

/** What the risk facts need of the evaluation being sealed (a row of `evaluations`). */
export interface RiskEvaluation {
  id: string;
  prompt_ms: number;
  staff_id: string;
  /** The last press id logged before it started: its own presses come after (decision 211). */
  inputs_after: number;
}

/** What they need of its target cases (rows of `evaluation_cases`). */
export interface RiskTarget {
  chosen_ms: number | null;
}

/**
 * Gathers from the database what the risk rules (src/domain/risk.ts) look at for the step being
 * sealed. Runs inside the sealing transaction, so it sees exactly what is committed with it.
 */
export function computeRiskFlags(db: Db, ev: RiskEvaluation, targets: RiskTarget[], nowMs: number): string[] {
  const policy = DEFAULT_RISK_POLICY;
  const ratedMs = targets[0]?.chosen_ms ?? nowMs;
  // A press logged as 'no_evaluation' happened outside any open evaluation, even when a stale
  // touch screen named one. Its own presses are among those logged since it started (by id, so
  // whatever the clock did); the others around it by time.
  const presses = db
    .prepare(
      `SELECT at_ms AS atMs, source,
              CASE WHEN disposition = 'no_evaluation' THEN NULL ELSE evaluation_id END AS evaluationId
       FROM raw_inputs WHERE (id > @after AND evaluation_id = @id) OR (at_ms BETWEEN @from AND @to)`,
    )
    .all({
      id: ev.id,
      after: ev.inputs_after,
      from: ev.prompt_ms - policy.strayWindowMs,
      to: ratedMs + policy.keyTouchWindowMs,
    }) as Press[];
  // Only what the burst rule (isBurst) can count is read. A rating that is not itself quick
  // completes no burst, so nothing is read for it; and another rating counts only when it was
  // quick and inside the window, so it was prompted after the window's start less burstFastMs.
  // Without these bounds a busy window read every evaluation of its last twelve minutes, with
  // their cases, inside every sealing transaction (164 µs of a 443 µs press in the bench).
  const quick = ratedMs - ev.prompt_ms < policy.burstFastMs;
  const windowFrom = ratedMs - policy.burstWindowMs;
  const staffRatings = quick
    ? (
        db
          .prepare(
            // A subquery per evaluation, not a join grouped by e.id: grouping made the planner walk
            // every evaluation in id order instead of the few started in the window.
            `SELECT e.id AS evaluationId, e.prompt_ms AS promptMs,
             (SELECT MIN(c.chosen_ms) FROM evaluation_cases c WHERE c.evaluation_id = e.id) AS ratedMs
           FROM evaluations e
           WHERE e.staff_id = ? AND e.started_ms >= ? AND e.prompt_ms > ?`,
          )
          .all(ev.staff_id, windowFrom - 600_000, windowFrom - policy.burstFastMs) as Array<
          Omit<StaffRating, 'ratedMs'> & { ratedMs: number | null }
        >
      )
        // an evaluation none of whose cases was chosen yet is no rating
        .filter((r): r is StaffRating => r.ratedMs !== null)
    : [];
  return riskFlags({ evaluationId: ev.id, promptMs: ev.prompt_ms, ratedMs, presses, staffRatings }, policy);
}
