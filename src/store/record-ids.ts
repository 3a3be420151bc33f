/**
 * A record's id is its evaluation's id, or `<evaluation id>-<n>` for case n of a batch or chain
 * (decision 6); evaluation ids never contain '-' (`newEvaluationId`). Queries go from a record to
 * its evaluation through this rather than through a stored copy (decision 211). `sessionIdOf`
 * (records.ts) is the same rule in JavaScript; change both or neither.
 */

/** SQL: the id of the evaluation the record id in `column` belongs to. */
export function evaluationIdOfRecordSql(column: string): string {
  return `(CASE WHEN instr(${column}, '-') > 0 THEN substr(${column}, 1, instr(${column}, '-') - 1) ELSE ${column} END)`;
}
