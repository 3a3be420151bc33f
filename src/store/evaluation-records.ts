import { CANCEL_REASONS, type PlatformRecord } from '../domain/record.js';
import { parseCst } from '../domain/time.js';
import type { Db } from './db.js';
import { caseOfRecordId, isEvaluationId, recordIdsOfEvaluationSql, sessionIdOf } from './record-ids.js';
import { recordTextSql } from './records.js';

/**
 * An evaluation's sealed records read as its history: once its working rows are folded
 * (decision 220) they are all the pad knows of it. The records are found by their ids (the
 * evaluation id, or `<evaluation id>-<n>`: record-ids.ts) through the unique index on record_id.
 * Only an evaluation id has a history: asked for a record id `E…-2`, these answer as for an
 * unknown id, not with case 2 of `E…` as an evaluation of its own. A record is an evaluation's
 * only when its `groupId`, if it has one, names that evaluation.
 */

/** A record's canonical text parsed: the record without its hash. */
export type SealedRecord = Omit<PlatformRecord, 'hash'>;

export interface EvaluationRecord {
  deviceSeq: number;
  /** the case's position (from 0): n − 1 of a `-<n>` record id, else 0 */
  idx: number;
  /** the record id has the `-<n>` form: its evaluation has several cases */
  grouped: boolean;
  record: SealedRecord;
}

const OF_EVALUATION = recordIdsOfEvaluationSql('record_id', '@id');

/**
 * The readable records of evaluation `id`, in case order; none when `id` is not an evaluation id.
 * A body that cannot be unpacked or is not a record of this evaluation is left out: verification
 * reports it, and a history without it is still the evaluation's history.
 */
export function recordsOfEvaluation(db: Db, id: string): EvaluationRecord[] {
  if (!isEvaluationId(id)) return [];
  const rows = db
    .prepare(
      `SELECT r.device_seq AS deviceSeq, r.record_id AS recordId, ${recordTextSql('r')} AS body
       FROM records r WHERE ${OF_EVALUATION}`,
    )
    .all({ id }) as Array<{ deviceSeq: number; recordId: string; body: string }>;
  const out: EvaluationRecord[] = [];
  for (const row of rows) {
    const placed = caseOfRecordId(id, row.recordId);
    const record = placed && readSealed(row.body, row.recordId, id);
    if (placed && record) out.push({ deviceSeq: row.deviceSeq, ...placed, record });
  }
  return out.sort((a, b) => a.idx - b.idx);
}

/** Whether any record of evaluation `id` is stored (readable or not); never for a record id. */
export function evaluationHasRecords(db: Db, id: string): boolean {
  if (!isEvaluationId(id)) return false;
  return db.prepare(`SELECT 1 FROM records WHERE ${OF_EVALUATION} LIMIT 1`).get({ id }) !== undefined;
}

/** Whether evaluation `id` still has its working row. */
export function evaluationRowExists(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM evaluations WHERE id = ?').get(id) !== undefined;
}

/**
 * Receipts of each evaluation that reached the paper: what `evaluations.receipt_prints` counts
 * (a print counts once the printer answered printed or partial), for evaluations without that row.
 * By `receipt_prints_evaluation` (migration 9), for every id asked at once.
 */
export function receiptsOnPaper(db: Db, ids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT evaluation_id AS id, COUNT(*) AS n FROM receipt_prints
       WHERE evaluation_id IN (SELECT value FROM json_each(?)) AND result IN ('printed', 'partial')
       GROUP BY evaluation_id`,
    )
    .all(JSON.stringify(ids)) as Array<{ id: string; n: number }>;
  for (const r of rows) out.set(r.id, r.n);
  return out;
}

export interface WalkedRecord extends EvaluationRecord {
  evaluationId: string;
}

/**
 * The lowest deviceSeq of the records of staff member `staffId`'s evaluations folded into
 * `day_figures` on CST day `fromDay` ('YYYY-MM-DD') or after; null when none was (or none of them
 * had a record). Every record of such an evaluation is at or after it, whatever the pad's clock
 * said when it was sealed. `day_figures` is keyed by day first: the query ranges on the day and
 * reads the rows of every staff member in it, a few per day.
 */
export function firstFoldedSeq(db: Db, staffId: string, fromDay: string): number | null {
  const row = db
    .prepare('SELECT MIN(first_seq) AS seq FROM day_figures WHERE day >= ? AND staff_id = ?')
    .get(fromDay, staffId) as { seq: number | null } | undefined;
  return row?.seq ?? null;
}

/** Rows read per step of the walk below. */
const WALK_PAGE = 200;

/**
 * Walks the records of one staff member from the newest back to deviceSeq `fromSeq` (device_seq
 * order: the order they were sealed, whatever the clock said), giving each readable one to
 * `visit` until `visit` says stop. The walk is bounded by deviceSeq, not by the records' times:
 * created_ms is the pad clock of the run that sealed the record, and a run with the clock set back
 * (an RTC that booted in 2000) leaves records with old times after newer ones; `visit` skips what
 * is out of its time range. `records` has no index by staff member (but the bad reviews'): each page is a range of the
 * primary key (records of every staff member in it are read, only this one's bodies unpacked), so
 * no statement stays open between steps.
 */
export function walkStaffRecords(
  db: Db,
  staffId: string,
  fromSeq: number,
  visit: (r: WalkedRecord) => 'more' | 'stop',
): void {
  const page = db.prepare(
    `SELECT device_seq AS deviceSeq, record_id AS recordId, ${recordTextSql('r')} AS body
     FROM records r WHERE r.staff_id = @staffId AND r.device_seq >= @fromSeq AND r.device_seq < @before
     ORDER BY r.device_seq DESC LIMIT ${WALK_PAGE}`,
  );
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = page.all({ staffId, fromSeq, before }) as Array<{
      deviceSeq: number;
      recordId: string;
      body: string;
    }>;
    for (const row of rows) {
      const evaluationId = sessionIdOf(row.recordId);
      if (!isEvaluationId(evaluationId)) continue;
      const placed = caseOfRecordId(evaluationId, row.recordId);
      const record = placed && readSealed(row.body, row.recordId, evaluationId);
      if (!placed || !record) continue;
      if (visit({ deviceSeq: row.deviceSeq, evaluationId, ...placed, record }) === 'stop') return;
    }
    const last = rows[rows.length - 1];
    if (rows.length < WALK_PAGE || last === undefined) return;
    before = last.deviceSeq;
  }
}

/**
 * The record a stored text holds, or null when it is not one of evaluation `evaluationId`'s that
 * this history can be rebuilt from: an unreadable body comes back from `record_text` as
 * `{"unreadableBody": …}`, and a body edited by hand may lack a field, name another record or
 * another evaluation as its group.
 */
function readSealed(text: string, recordId: string, evaluationId: string): SealedRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  const str = (k: string) => typeof r[k] === 'string';
  const int = (k: string) => Number.isInteger(r[k]);
  const optional = (k: string, ok: (x: unknown) => boolean) => r[k] === undefined || ok(r[k]);
  const ok =
    r.evaluationId === recordId &&
    ['projectNo', 'taskCode', 'taskName', 'windowNo', 'staffId', 'staffName', 'startedTime'].every(str) &&
    ['serviceNumber', 'deviceTimeMs', 'clockOffsetMs', 'deviceSeq'].every(int) &&
    (r.promiseType === 1 || r.promiseType === 2) &&
    (r.status === 'rated' || r.status === 'unrated' || r.status === 'cancelled') &&
    optional('satisfaction', (x) => Number.isInteger(x)) &&
    optional('abandonedSatisfaction', (x) => Number.isInteger(x)) &&
    cstTime(r.startedTime) &&
    optional('assessTime', cstTime) &&
    optional('cancelledBy', (x) => typeof x === 'string') &&
    optional('cancelReason', (x) => (CANCEL_REASONS as readonly unknown[]).includes(x)) &&
    optional('normVersion', (x) => typeof x === 'string') &&
    optional('inputSource', (x) => x === 'key' || x === 'touch') &&
    optional('groupId', (x) => x === evaluationId) &&
    optional('groupType', (x) => x === 'batch' || x === 'chain') &&
    optional('groupMode', (x) => x === 'overall' || x === 'each') &&
    optional('riskFlags', (x) => Array.isArray(x) && x.every((f) => typeof f === 'string'));
  return ok ? (r as unknown as SealedRecord) : null;
}

function cstTime(x: unknown): boolean {
  if (typeof x !== 'string') return false;
  try {
    parseCst(x);
    return true;
  } catch {
    return false;
  }
}
