/**
 * A record's id is its evaluation's id, or `<evaluation id>-<n>` for case n of a batch or chain
 * (decision 6); evaluation ids never contain '-' (`newEvaluationId`). Every form of that rule the
 * code uses is here; the one other is the generated column `evaluation_cases.record_id`
 * (migration 7, lean-working-rows.ts), which a shipped migration keeps as it was written.
 */

/**
 * Whether `id` can be an evaluation's id: not empty, and without the '-' that sets a case's
 * number apart in a record id. `<evaluation id>-<n>` is a record, never an evaluation, though the
 * window API takes both forms as an id and the staff side shows record ids.
 */
export function isEvaluationId(id: string): boolean {
  return id !== '' && !id.includes('-');
}

/** The record id of case `idx` (from 0) of an evaluation; `grouped` when it has several cases. */
export function recordIdOf(evaluationId: string, idx: number, grouped: boolean): string {
  return grouped ? `${evaluationId}-${idx + 1}` : evaluationId;
}

/** The id of the evaluation a record id belongs to. */
export function sessionIdOf(recordId: string): string {
  const m = /^(.*)-(\d{1,2})$/.exec(recordId);
  return m?.[1] ?? recordId;
}

/**
 * SQL: the id of the evaluation the record id in `column` belongs to (as `sessionIdOf`, for ids
 * whose evaluation part has no '-'). Queries go from a record to its evaluation through this
 * rather than through a stored copy (decision 211).
 */
export function evaluationIdOfRecordSql(column: string): string {
  return `(CASE WHEN instr(${column}, '-') > 0 THEN substr(${column}, 1, instr(${column}, '-') - 1) ELSE ${column} END)`;
}

/**
 * Where a record id names the case of evaluation `evaluationId`: its position (from 0) and
 * whether the evaluation has several cases (`recordIdOf` read backwards); null when the record
 * id is not one of that evaluation's.
 */
export function caseOfRecordId(
  evaluationId: string,
  recordId: string,
): { idx: number; grouped: boolean } | null {
  if (recordId === evaluationId) return { idx: 0, grouped: false };
  const suffix = recordId.startsWith(`${evaluationId}-`) ? recordId.slice(evaluationId.length + 1) : '';
  const n = /^\d{1,2}$/.test(suffix) ? Number(suffix) : 0;
  return n >= 1 ? { idx: n - 1, grouped: true } : null;
}

/**
 * SQL: the record id in `column` is one of evaluation `param`'s (a bound parameter): the id
 * itself or `<id>-…`, a range of the record id index ('.' follows '-' in code order, so it holds
 * the ids that start with `<id>-`; check each with `caseOfRecordId`).
 */
export function recordIdsOfEvaluationSql(column: string, param: string): string {
  return `(${column} = ${param} OR ${column} BETWEEN ${param} || '-' AND ${param} || '.')`;
}
