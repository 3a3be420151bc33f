import type { Db } from './db.js';

/**
 * What the pad remembers of each case number and visit it closed as rated or unrated (table
 * `case_memory`, decision 220): the look-ups a new evaluation makes, for live and folded
 * evaluations alike. Cancelled attempts are not remembered: a cancelled case was never offered
 * to the citizen's judgement.
 */

/** Records a case's closing; must run in the transaction that seals it. */
export function rememberClosedCase(
  db: Db,
  c: { projectNo: string; serviceNumber: number; rated: boolean; startedMs: number; abandonedBad: boolean },
): void {
  // An attempt closed later but started earlier (a chain rated item by item while another
  // evaluation of the case ran) does not replace the latest attempt's facts.
  db.prepare(
    `INSERT INTO case_memory (project_no, service_number, rated, last_started_ms, last_abandoned_bad)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (project_no, service_number) DO UPDATE SET
       rated = MAX(rated, excluded.rated),
       last_started_ms = MAX(last_started_ms, excluded.last_started_ms),
       last_abandoned_bad = CASE WHEN excluded.last_started_ms >= last_started_ms
         THEN excluded.last_abandoned_bad ELSE last_abandoned_bad END`,
  ).run(c.projectNo, c.serviceNumber, c.rated ? 1 : 0, c.startedMs, c.abandonedBad ? 1 : 0);
}

/** Whether the case (any visit, or the given one) already has a rating on this pad. */
export function caseRated(db: Db, projectNo: string, serviceNumber: number | null): boolean {
  const row =
    serviceNumber === null
      ? db.prepare('SELECT 1 FROM case_memory WHERE project_no = ? AND rated = 1 LIMIT 1').get(projectNo)
      : db
          .prepare('SELECT 1 FROM case_memory WHERE project_no = ? AND service_number = ? AND rated = 1')
          .get(projectNo, serviceNumber);
  return row !== undefined;
}

/** The highest visit of the case this pad closed rated or unrated, 0 when none. */
export function lastClosedVisit(db: Db, projectNo: string): number {
  const row = db
    .prepare('SELECT MAX(service_number) AS last FROM case_memory WHERE project_no = ?')
    .get(projectNo) as { last: number | null };
  return row.last ?? 0;
}

/** Whether the case's latest attempt on this pad closed unrated after a 差评 star. */
export function lastAttemptAbandonedBad(db: Db, projectNo: string): boolean {
  const row = db
    .prepare(
      `SELECT last_abandoned_bad AS bad FROM case_memory WHERE project_no = ?
       ORDER BY last_started_ms DESC LIMIT 1`,
    )
    .get(projectNo) as { bad: number } | undefined;
  return row?.bad === 1;
}
