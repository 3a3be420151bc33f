import { CANCEL_REASONS, type PlatformRecord } from '../domain/record.js';
import { parseCst } from '../domain/time.js';
import type { Db } from './db.js';
import { caseOfRecordId, recordIdsOfEvaluationSql, sessionIdOf } from './record-ids.js';
import { recordTextSql } from './records.js';

/**
 * An evaluation's sealed records read as its history: once its working rows are folded
 * (decision 220) they are all the pad knows of it. The records are found by their ids (the
 * evaluation id, or `<evaluation id>-<n>`: record-ids.ts) through the unique index on record_id.
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
 * The readable records of evaluation `id`, in case order. A body that cannot be unpacked or is
 * not a record is left out: verification reports it, and a history without it is still the
 * evaluation's history.
 */
export function recordsOfEvaluation(db: Db, id: string): EvaluationRecord[] {
  const rows = db
    .prepare(
      `SELECT r.device_seq AS deviceSeq, r.record_id AS recordId, ${recordTextSql('r')} AS body
       FROM records r WHERE ${OF_EVALUATION}`,
    )
    .all({ id }) as Array<{ deviceSeq: number; recordId: string; body: string }>;
  const out: EvaluationRecord[] = [];
  for (const row of rows) {
    const placed = caseOfRecordId(id, row.recordId);
    const record = placed && readSealed(row.body, row.recordId);
    if (placed && record) out.push({ deviceSeq: row.deviceSeq, ...placed, record });
  }
  return out.sort((a, b) => a.idx - b.idx);
}

/** Whether any record of evaluation `id` is stored (readable or not). */
export function evaluationHasRecords(db: Db, id: string): boolean {
  return db.prepare(`SELECT 1 FROM records WHERE ${OF_EVALUATION} LIMIT 1`).get({ id }) !== undefined;
}

/** Whether evaluation `id` still has its working row. */
export function evaluationRowExists(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM evaluations WHERE id = ?').get(id) !== undefined;
}

/**
 * Receipts of each evaluation that reached the paper: what `evaluations.receipt_prints` counts
 * (a print counts once the printer answered printed or partial), for evaluations without that row.
 * `receipt_prints` has no index by evaluation: one pass over it answers every id asked.
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
  createdMs: number;
  evaluationId: string;
}

/** Rows read per step of the walk below. */
const WALK_PAGE = 200;

/**
 * Walks the records of one staff member from the newest back (device_seq order: the order they
 * were sealed, whatever the clock said), giving each readable one to `visit` until `visit` says
 * stop or a record of anyone sealed before `notBeforeMs` (created_ms, the pad's clock) is reached.
 * `records` has no index by staff member, so the walk reads every staff member's rows in that
 * time and unpacks only this one's bodies; it goes in pages bounded by device_seq, so each step
 * is a search of the primary key and no statement stays open between steps.
 */
export function walkStaffRecords(
  db: Db,
  staffId: string,
  notBeforeMs: number,
  visit: (r: WalkedRecord) => 'more' | 'stop',
): void {
  const page = db.prepare(
    `SELECT device_seq AS deviceSeq, created_ms AS createdMs, record_id AS recordId,
            CASE WHEN staff_id = @staffId THEN ${recordTextSql('r')} END AS body
     FROM records r WHERE device_seq < @before ORDER BY device_seq DESC LIMIT ${WALK_PAGE}`,
  );
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = page.all({ staffId, before }) as Array<{
      deviceSeq: number;
      createdMs: number;
      recordId: string;
      body: string | null;
    }>;
    for (const row of rows) {
      if (row.createdMs < notBeforeMs) return;
      if (row.body === null) continue;
      const evaluationId = sessionIdOf(row.recordId);
      const placed = caseOfRecordId(evaluationId, row.recordId);
      const record = placed && readSealed(row.body, row.recordId);
      if (!placed || !record) continue;
      const walked = { deviceSeq: row.deviceSeq, createdMs: row.createdMs, evaluationId, ...placed, record };
      if (visit(walked) === 'stop') return;
    }
    const last = rows[rows.length - 1];
    if (rows.length < WALK_PAGE || last === undefined) return;
    before = last.deviceSeq;
  }
}

/**
 * The record a stored text holds, or null when it is not one this history can be rebuilt from:
 * an unreadable body comes back from `record_text` as `{"unreadableBody": …}`, and a body edited
 * by hand may lack a field or name another record.
 */
function readSealed(text: string, recordId: string): SealedRecord | null {
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
