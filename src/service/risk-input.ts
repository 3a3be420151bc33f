import type { Db } from '../store/db.js';
import type { CaseRow, EvaluationRow } from './evaluations.js';

const FAST_RATING_MS = 1500;
const STRAY_WINDOW_MS = 10_000;
const BURST_WINDOW_MS = 120_000;
const BURST_COUNT = 5;
const BURST_FAST_MS = 5000;

/**
 * Gathers what the risk rules look at (domain.md "Protecting the rating") for the step being
 * sealed. Runs inside the sealing transaction, so it sees exactly what is committed with it.
 */
export function computeRiskFlags(db: Db, ev: EvaluationRow, targets: CaseRow[], nowMs: number): string[] {
  const flags: string[] = [];
  const chosenMs = targets[0]?.chosen_ms ?? nowMs;
  if (chosenMs - ev.prompt_ms < FAST_RATING_MS) flags.push('fast_rating');
  const sources = db
    .prepare(`SELECT DISTINCT source FROM raw_inputs WHERE evaluation_id = ?`)
    .all(ev.id) as Array<{ source: string }>;
  if (sources.length > 1) flags.push('key_and_touch');
  const recentFast = db
    .prepare(
      `SELECT COUNT(*) AS n FROM evaluations e
       WHERE e.staff_id = ? AND e.id != ? AND e.state = 'rated' AND e.started_ms >= ?
         AND EXISTS (SELECT 1 FROM evaluation_cases c WHERE c.evaluation_id = e.id AND c.chosen_ms - e.prompt_ms < ?)`,
    )
    .get(ev.staff_id, ev.id, nowMs - BURST_WINDOW_MS, BURST_FAST_MS) as { n: number };
  if (recentFast.n + 1 >= BURST_COUNT && chosenMs - ev.prompt_ms < BURST_FAST_MS) flags.push('burst');
  const stray = db
    .prepare(
      `SELECT COUNT(*) AS n FROM raw_inputs WHERE disposition = 'no_evaluation' AND at_ms BETWEEN ? AND ?`,
    )
    .get(ev.started_ms - STRAY_WINDOW_MS, ev.started_ms) as { n: number };
  if (stray.n > 0) flags.push('stray_presses');
  return flags;
}
