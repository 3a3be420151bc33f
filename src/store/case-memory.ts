import type { Db } from './db.js';

/**
 * The look-ups a new evaluation makes of the cases this pad closed as rated or unrated (即办件
 * rated once, the next 承诺件 visit, a restart after an abandoned 差评): over the case rows still
 * kept and, for evaluations folded into their records (fold.ts, decision 220), over `case_memory`,
 * which the fold writes as it deletes their rows. A rating's own transaction writes nothing here.
 * Cancelled attempts are not remembered: a cancelled case was never offered to the citizen's
 * judgement.
 */

/** Remembers a folded case's closing; runs in the fold's transaction. */
export function rememberClosedCase(
  db: Db,
  c: {
    projectNo: string;
    serviceNumber: number;
    rated: boolean;
    startedMs: number;
    abandonedBad: boolean;
    /** its record's deviceSeq, null when retention already took it */
    seq: number | null;
  },
): void {
  // An attempt folded later but started earlier does not replace the latest attempt's facts.
  db.prepare(
    `INSERT INTO case_memory (project_no, service_number, rated, last_started_ms, last_abandoned_bad, last_seq)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_no, service_number) DO UPDATE SET
       rated = MAX(rated, excluded.rated),
       last_started_ms = MAX(last_started_ms, excluded.last_started_ms),
       last_abandoned_bad = CASE WHEN excluded.last_started_ms >= last_started_ms
         THEN excluded.last_abandoned_bad ELSE last_abandoned_bad END,
       last_seq = COALESCE(MAX(last_seq, excluded.last_seq), last_seq, excluded.last_seq)`,
  ).run(c.projectNo, c.serviceNumber, c.rated ? 1 : 0, c.startedMs, c.abandonedBad ? 1 : 0, c.seq);
}

/** Whether the case (any visit, or the given one) already has a rating on this pad. */
export function caseRated(db: Db, projectNo: string, serviceNumber: number | null): boolean {
  const row =
    serviceNumber === null
      ? db
          .prepare(
            `SELECT 1 FROM evaluation_cases WHERE project_no = @p AND outcome = 'rated'
             UNION ALL SELECT 1 FROM case_memory WHERE project_no = @p AND rated = 1 LIMIT 1`,
          )
          .get({ p: projectNo })
      : db
          .prepare(
            `SELECT 1 FROM evaluation_cases WHERE project_no = @p AND service_number = @v AND outcome = 'rated'
             UNION ALL SELECT 1 FROM case_memory WHERE project_no = @p AND service_number = @v AND rated = 1
             LIMIT 1`,
          )
          .get({ p: projectNo, v: serviceNumber });
  return row !== undefined;
}

/** The highest visit of the case this pad closed rated or unrated, 0 when none. */
export function lastClosedVisit(db: Db, projectNo: string): number {
  const row = db
    .prepare(
      `SELECT MAX(v) AS last FROM (
         SELECT MAX(service_number) AS v FROM evaluation_cases WHERE project_no = @p AND outcome IN ('rated', 'unrated')
         UNION ALL SELECT MAX(service_number) FROM case_memory WHERE project_no = @p)`,
    )
    .get({ p: projectNo }) as { last: number | null };
  return row.last ?? 0;
}

/** Whether the case's latest closed attempt on this pad ended unrated after a 差评 star. */
export function lastAttemptAbandonedBad(db: Db, projectNo: string): boolean {
  const row = db
    .prepare(
      `SELECT bad FROM (
         SELECT e.started_ms AS startedMs,
                c.outcome = 'unrated' AND c.chosen_satisfaction IS NOT NULL AND c.chosen_satisfaction <= 2 AS bad
         FROM evaluation_cases c JOIN evaluations e ON e.id = c.evaluation_id
         WHERE c.project_no = @p AND c.outcome IN ('rated', 'unrated')
         UNION ALL
         SELECT last_started_ms, last_abandoned_bad FROM case_memory WHERE project_no = @p)
       ORDER BY startedMs DESC LIMIT 1`,
    )
    .get({ p: projectNo }) as { bad: number } | undefined;
  return row?.bad === 1;
}
