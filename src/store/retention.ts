import { cstDate, cstLastMonthStart } from '../domain/time.js';
import { getMeta, setMeta, type Db } from './db.js';
import { RECENT_PRESSES_KEPT } from './fold.js';
import { unpackBody } from './record-codec.js';
import { recordIdsOfEvaluationSql } from './record-ids.js';
import { rowValueColumns, type RowValues } from './row-values.js';
import { RETENTION_ANCHOR_KEY, verifyChain, type ChainAnchor } from './verify.js';

/**
 * Retention: the pad keeps delivered records only as long as configured. Deletion removes a
 * prefix of the chain, so the rest stays one unbroken chain; the last deleted record's
 * {deviceSeq, hash} goes to meta `retention_anchor` and verifyChain starts from there.
 *
 * Stops at the first record that is pending or rejected (a rejected one is kept for the
 * technician, docs/protocols/platform-api.md §2) or too young, and keeps everything after it even if it is
 * delivered and old. Refuses to prune when the part to delete, or its link to the first record
 * kept, does not verify: deleting would destroy the evidence. A break further on stays where it
 * is, and verifyChain still reports it. `keepDays` should exceed the longest appeal period (bad reviews are read from
 * records); the figures fall back to the case rows for pruned records.
 */

export class ChainBrokenError extends Error {
  constructor(readonly problem: string) {
    super(`哈希链校验失败，未清理 / the hash chain does not verify, nothing pruned: ${problem}`);
    this.name = 'ChainBrokenError';
  }
}

export interface PruneResult {
  deleted: number;
  anchor: ChainAnchor | null;
}

/**
 * When a record was made in true time: its pad-clock time plus the offset the pad had then, as the
 * record itself says (`deviceTimeMs`, `clockOffsetMs`). Null when the record says its clock was not
 * confirmed (`clockUnsynced`), or cannot be read: its true time is not known. Never earlier than
 * its pad-clock time: a record of 1.0 (before decision 195) carries no flag, and one sealed after a
 * start, before the platform answered, carries the offset an earlier start stored — a clock that
 * ran ahead and was set right made its records look as much older. So a pad whose clock runs ahead
 * keeps its records by its own clock, as before decision 227 (longer, never shorter).
 */
function trueTimeOf(body: unknown, row: RowValues): number | null {
  let record: { deviceTimeMs?: unknown; clockOffsetMs?: unknown; clockUnsynced?: unknown };
  try {
    record = JSON.parse(unpackBody(body, row)) as typeof record;
  } catch {
    return null;
  }
  const { deviceTimeMs, clockOffsetMs, clockUnsynced } = record;
  if (clockUnsynced === true || typeof deviceTimeMs !== 'number' || typeof clockOffsetMs !== 'number')
    return null;
  return deviceTimeMs + Math.max(clockOffsetMs, 0);
}

/**
 * Records of unknown age looked past, in a row, before the scan stops (they are kept): each is
 * unpacked, and a pad whose clock is never confirmed would otherwise have its whole chain read at
 * every start and every six hours (~6 µs a record).
 */
export const UNKNOWN_AGE_RUN = 20_000;

/**
 * Where the last scan stopped inside a run of unknown age (meta): every record up to this deviceSeq
 * was delivered and looked past, so the next scan goes on after it instead of stopping at the same
 * place for good (a month unconfirmed is more than one scan looks past).
 */
const UNKNOWN_THROUGH_KEY = 'retention_unknown_through';

/**
 * Where a scan starts: after the run of unknown age the last one stopped in, or from the chain's
 * start when there is none, or when a record up to there is no longer delivered (one brought back
 * below it since).
 */
function resumeAfter(db: Db): number {
  const through = Number(getMeta(db, UNKNOWN_THROUGH_KEY) ?? '0');
  if (!Number.isSafeInteger(through) || through <= 0) return 0;
  const notDelivered = db
    .prepare(
      `SELECT 1 FROM records r JOIN outbox o ON o.kind = 'record' AND o.ref = r.record_id
       WHERE r.device_seq <= ? AND o.state != 'delivered' LIMIT 1`,
    )
    .get(through);
  return notDelivered === undefined ? through : 0;
}

/**
 * `nowMs` is true time. A record's age is taken in true time too (trueTimeOf, decision 227): a pad
 * whose clock runs far behind — a board without a clock battery starts in 1970 — has pad-clock
 * times that all look old, and its delivered records went as soon as they were delivered. A
 * record whose true time is not known goes only with a later record that is old enough: records
 * are sealed in deviceSeq order, so it was made before that one.
 */
export function pruneDelivered(
  db: Db,
  opts: { keepDays: number; nowMs: number; unknownAgeRun?: number },
): PruneResult {
  if (!Number.isFinite(opts.keepDays) || opts.keepDays < 0)
    throw new RangeError(`keepDays must be ≥ 0: ${opts.keepDays}`);
  const cutoffMs = opts.nowMs - opts.keepDays * 86_400_000;
  return db.transaction((): PruneResult => {
    const after = resumeAfter(db);
    const rows = db
      .prepare(
        `SELECT ${rowValueColumns('r')}, r.body AS body, record_hash(r.hash) AS hash,
           (SELECT o.state FROM outbox o WHERE o.kind = 'record' AND o.ref = r.record_id) AS state
         FROM records r WHERE r.device_seq > ? ORDER BY r.device_seq`,
      )
      .raw(true)
      .iterate(after) as IterableIterator<unknown[]>;
    let last: ChainAnchor | null = null;
    let unknownRun = 0;
    for (const row of rows) {
      const [deviceSeq, , , , , , body, hash, state] = row;
      // no outbox row: delivered (outbox.ts markDelivered); 'delivered' rows from before migration 5
      if (state !== null && state !== 'delivered') {
        rows.return?.();
        break;
      }
      const madeAt = trueTimeOf(body, row.slice(0, 6) as unknown as RowValues);
      if (madeAt === null) {
        unknownRun += 1;
        if (unknownRun > (opts.unknownAgeRun ?? UNKNOWN_AGE_RUN)) {
          rows.return?.();
          setMeta(db, UNKNOWN_THROUGH_KEY, String(Number(deviceSeq)));
          break;
        }
        continue;
      }
      unknownRun = 0;
      if (madeAt >= cutoffMs) {
        rows.return?.();
        break;
      }
      last = { deviceSeq: Number(deviceSeq), hash: String(hash) };
    }
    if (last === null) return { deleted: 0, anchor: null };
    // What is deleted must verify, and so must the first record kept (its link to the anchor);
    // the rest of the chain is not touched, so it is not walked here (a million-record chain would
    // hold the pad for seconds at every start).
    const check = verifyChain(db, { throughSeq: last.deviceSeq + 1 });
    if (!check.ok) {
      const b = check.firstBroken;
      throw new ChainBrokenError(`deviceSeq ${b.deviceSeq}: ${b.problem}`);
    }
    db.prepare(
      `DELETE FROM outbox WHERE kind = 'record' AND ref IN (SELECT record_id FROM records WHERE device_seq <= ?)`,
    ).run(last.deviceSeq);
    const deleted = db.prepare('DELETE FROM records WHERE device_seq <= ?').run(last.deviceSeq).changes;
    setMeta(db, RETENTION_ANCHOR_KEY, JSON.stringify(last));
    return { deleted, anchor: last };
  })();
}

/** Evaluations looked at in one call: bounded work; a backlog goes over a few calls. */
export const WORKING_ROWS_PER_CALL = 2000;

export interface WorkingPruneResult {
  evaluations: number;
  presses: number;
  /** receipt prints, day figures and case memory rows (decision 220) */
  history: number;
}

/**
 * The working rows of an evaluation (`evaluations`, `evaluation_cases`, `receipt_prints`) and the
 * logged key presses go once retention has deleted its records: without this they outlived the
 * records they describe, citizens' comments and staff names included, and the database grew for
 * as long as the pad served. An evaluation goes when it is closed, started before `keepDays`
 * ago and before the previous CST month (today's and this month's figures read its case rows
 * once its records are pruned), and none of its cases has a record left. Presses older than the
 * same bound go unless their evaluation is still there. `nowMs` must be true time (the pad's clock
 * with the platform's offset, once the platform confirmed it): a clock running ahead would take
 * this month's rows. Decision 210.
 */
export function pruneWorkingRows(db: Db, opts: { keepDays: number; nowMs: number }): WorkingPruneResult {
  if (!Number.isFinite(opts.keepDays) || opts.keepDays < 0)
    throw new RangeError(`keepDays must be ≥ 0: ${opts.keepDays}`);
  const before = Math.min(opts.nowMs - opts.keepDays * 86_400_000, cstLastMonthStart(opts.nowMs));
  return db.transaction((): WorkingPruneResult => {
    const ids = (
      db
        .prepare(
          // The earliest started evaluations only: records are pruned as a prefix of the chain,
          // so when these still have records the later ones almost always do too. Bounded work
          // per call. (Start order is the pad clock's: evaluations started while it was behind
          // come first and wait for their records, which only delays the ones after them.)
          `SELECT id FROM (
             SELECT e.id AS id, e.state AS state, e.started_ms AS startedMs FROM evaluations e
             ORDER BY e.started_ms LIMIT ?) o
           WHERE o.startedMs < ? AND o.state IN ('rated', 'unrated', 'cancelled')
             AND NOT EXISTS (SELECT 1 FROM evaluation_cases c JOIN records r ON r.record_id = c.record_id
                             WHERE c.evaluation_id = o.id)`,
        )
        .all(WORKING_ROWS_PER_CALL, before) as Array<{ id: string }>
    ).map((r) => r.id);
    const dropCases = db.prepare('DELETE FROM evaluation_cases WHERE evaluation_id = ?');
    const dropEvaluation = db.prepare('DELETE FROM evaluations WHERE id = ?');
    for (const id of ids) {
      dropCases.run(id);
      dropEvaluation.run(id);
    }
    // Their receipt prints, by the prints' evaluation index (migration 9).
    if (ids.length > 0)
      db.prepare('DELETE FROM receipt_prints WHERE evaluation_id IN (SELECT value FROM json_each(?))').run(
        JSON.stringify(ids),
      );
    const presses = db
      .prepare(
        `DELETE FROM raw_inputs WHERE id IN (
           SELECT p.id FROM raw_inputs p WHERE p.at_ms < ?
             AND (p.evaluation_id IS NULL OR NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = p.evaluation_id))
             -- the presses a board could still resend stay, whatever the clocks say (fold.ts)
             AND p.id <= (SELECT MAX(id) FROM raw_inputs) - ${RECENT_PRESSES_KEPT}
           ORDER BY p.at_ms LIMIT ?)`,
      )
      .run(before, WORKING_ROWS_PER_CALL * 4).changes;
    // What folding keeps apart from the rows (decision 220), past the same bound: receipt prints of
    // evaluations with neither rows nor any record left (records go as a prefix of the chain, which
    // may end inside a chain rated item by item), the day figures, the case memory.
    const prints = db
      .prepare(
        `DELETE FROM receipt_prints WHERE id IN (
           SELECT p.id FROM receipt_prints p WHERE p.requested_ms < ?
             AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = p.evaluation_id)
             AND NOT EXISTS (SELECT 1 FROM records r WHERE ${recordIdsOfEvaluationSql('r.record_id', 'p.evaluation_id')})
           ORDER BY p.id LIMIT ?)`,
      )
      .run(before, WORKING_ROWS_PER_CALL * 4).changes;
    const days = db.prepare('DELETE FROM day_figures WHERE day < ?').run(cstDate(before)).changes;
    const cases = db
      .prepare(
        // Not while a record of the case is kept (pending, or behind a rejected one): a case row
        // went only with its records, and so does what the fold kept of it.
        `DELETE FROM case_memory WHERE (project_no, service_number) IN (
           SELECT project_no, service_number FROM case_memory
           WHERE last_started_ms < @before
             AND (last_seq IS NULL OR last_seq < COALESCE((SELECT MIN(device_seq) FROM records), last_seq + 1))
           LIMIT @limit)`,
      )
      .run({ before, limit: WORKING_ROWS_PER_CALL * 4 }).changes;
    return { evaluations: ids.length, presses, history: prints + days + cases };
  })();
}
