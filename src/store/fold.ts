import { cstDate } from '../domain/time.js';
import { FREQUENT_CANCEL_POLICY } from '../domain/cancel-policy.js';
import { DEFAULT_RISK_POLICY } from '../domain/risk.js';
import { isBadReview } from '../domain/levels.js';
import { rememberClosedCase } from './case-memory.js';
import type { Db } from './db.js';
import { assessMsOf, RELEASE_AFTER_MS, type FoldedBadReview } from './figures.js';
import { recordTextSql } from './records.js';

/**
 * Folding (decision 220): a closed evaluation's working rows — its `evaluations` row, its
 * `evaluation_cases` rows and the key presses logged against it — go a while after it closed.
 * Its sealed records are its history from then on: the window API's answer, a receipt reprint
 * and the staff's recent list read them (evaluation history); its counts are added to
 * `day_figures` and what the case look-ups need to `case_memory` here, in the transaction that
 * deletes the rows (nothing is added to a rating's own transaction). Receipt prints stay (a
 * reprint is still 补打).
 *
 * The wait is the longest look-back any rule makes over working rows: the frequent-cancel count
 * (4 h), the burst rule (minutes), the anti-interference hold of the figures (30 min). Until then
 * an evaluation is read as it always was.
 *
 * Folding reads the pad's own clock: a clock set ahead folds early, which ends those look-backs
 * early for the evaluations it folds (the hold then ends as it does for a clock set ahead);
 * a clock set back folds late. No history is lost either way.
 */
export const FOLD_AFTER_MS = 4 * 3600_000;

// The look-backs above, checked where they are defined rather than trusted to stay short.
const LONGEST_LOOK_BACK_MS = Math.max(
  FREQUENT_CANCEL_POLICY.windowMs,
  RELEASE_AFTER_MS,
  DEFAULT_RISK_POLICY.burstWindowMs + 600_000,
  DEFAULT_RISK_POLICY.strayWindowMs,
);
if (LONGEST_LOOK_BACK_MS > FOLD_AFTER_MS)
  throw new Error(
    `FOLD_AFTER_MS ${FOLD_AFTER_MS} is shorter than a rule's look-back ${LONGEST_LOOK_BACK_MS}`,
  );

/**
 * Presses never deleted, whatever their time: the board keeps at least 32 unacknowledged KEYs and
 * resends them until acknowledged (docs/protocols/board-protocol.md), so the identity of every
 * press it could still send stays in raw_inputs_board_key.
 */
export const RECENT_PRESSES_KEPT = 64;

/** Evaluations folded in one call (one transaction): bounded work; a backlog goes over a few calls. */
const FOLDS_PER_CALL = 200;

export interface FoldResult {
  evaluations: number;
  presses: number;
}

interface CaseFact {
  recordId: string;
  chosenMs: number | null;
  projectNo: string;
  serviceNumber: number;
  outcome: 'rated' | 'unrated' | 'cancelled' | null;
  chosen: number | null;
  status: 'rated' | 'unrated' | 'cancelled' | null;
  satisfaction: number | null;
  body: string | null;
  seq: number | null;
}

const NO_CASES = { started: 0, rated: 0, unrated: 0, abandonedBad: 0, cancelled: 0, good: 0, bad: 0 };

interface DayCounts {
  day: string;
  staffId: string;
  windowNo: string;
  started: number;
  rated: number;
  unrated: number;
  abandonedBad: number;
  cancelled: number;
  good: number;
  bad: number;
  firstSeq: number | null;
  badReviews: FoldedBadReview[];
}

/**
 * Folds the evaluations closed before `nowMs − FOLD_AFTER_MS` (at most `limit`, earliest started
 * first), then the presses logged before then that belong to no evaluation still kept.
 * `clockOffsetMs` (server − pad) places on its true day an evaluation whose record does not name
 * a day sealed on a confirmed clock (or is gone), as the live figures place it.
 */
export function foldClosedEvaluations(
  db: Db,
  opts: { nowMs: number; clockOffsetMs?: number; limit?: number },
): FoldResult {
  const cutoff = opts.nowMs - FOLD_AFTER_MS;
  const offset = opts.clockOffsetMs ?? 0;
  return db.transaction((): FoldResult => {
    const due = db
      .prepare(
        // By the start-time index, earliest first (one that closed before the cutoff started before
        // it, unless the clock went back in between: it then folds once the cutoff passes its start).
        `SELECT id, staff_id AS staffId, window_no AS windowNo, started_ms AS startedMs FROM evaluations
         WHERE started_ms < @cutoff AND state IN ('rated', 'unrated', 'cancelled') AND closed_ms < @cutoff
         ORDER BY started_ms LIMIT @limit`,
      )
      .all({ cutoff, limit: opts.limit ?? FOLDS_PER_CALL }) as Array<{
      id: string;
      staffId: string;
      windowNo: string;
      startedMs: number;
    }>;
    const facts = db.prepare(
      `SELECT c.record_id AS recordId, c.chosen_ms AS chosenMs, c.project_no AS projectNo, c.service_number AS serviceNumber, c.outcome AS outcome,
              c.chosen_satisfaction AS chosen, r.status AS status,
              r.satisfaction AS satisfaction,
              ${recordTextSql('r')} AS body,
              r.device_seq AS seq
       FROM evaluation_cases c LEFT JOIN records r ON r.record_id = c.record_id
       WHERE c.evaluation_id = ? ORDER BY c.idx`,
    );
    const dropCases = db.prepare('DELETE FROM evaluation_cases WHERE evaluation_id = ?');
    const dropEvaluation = db.prepare('DELETE FROM evaluations WHERE id = ?');
    const days = new Map<string, DayCounts>();
    for (const ev of due) {
      for (const f of facts.all(ev.id) as CaseFact[]) {
        // The day its record says it started on, when it was sealed on a clock the platform had
        // confirmed (its start was timed by the clock of its own run, which an offset known now
        // need not fit); else as the live figures place it, with the offset known now.
        const day = confirmedDayOf(f.body) ?? cstDate(ev.startedMs + offset);
        const key = `${day}\u0000${ev.staffId}\u0000${ev.windowNo}`;
        let d = days.get(key);
        if (d === undefined) {
          d = {
            day,
            staffId: ev.staffId,
            windowNo: ev.windowNo,
            ...NO_CASES,
            firstSeq: null,
            badReviews: [],
          };
          days.set(key, d);
        }
        addCase(d, f, offset);
        if (f.outcome === 'rated' || f.outcome === 'unrated')
          rememberClosedCase(db, {
            projectNo: f.projectNo,
            serviceNumber: f.serviceNumber,
            rated: f.outcome === 'rated',
            startedMs: ev.startedMs,
            abandonedBad: f.outcome === 'unrated' && f.chosen !== null && isBadReview(f.chosen),
            seq: f.seq,
          });
        if (f.seq !== null && (d.firstSeq === null || f.seq < d.firstSeq)) d.firstSeq = f.seq;
      }
      dropCases.run(ev.id);
      dropEvaluation.run(ev.id);
    }
    const add = db.prepare(
      `INSERT INTO day_figures (day, staff_id, window_no, started, rated, unrated, abandoned_bad, cancelled, good, bad,
         bad_reviews, first_seq)
       VALUES (@day, @staffId, @windowNo, @started, @rated, @unrated, @abandonedBad, @cancelled, @good, @bad,
         @badReviews, @firstSeq)
       ON CONFLICT (day, staff_id, window_no) DO UPDATE SET
         started = started + excluded.started, rated = rated + excluded.rated,
         unrated = unrated + excluded.unrated, abandoned_bad = abandoned_bad + excluded.abandoned_bad,
         cancelled = cancelled + excluded.cancelled, good = good + excluded.good, bad = bad + excluded.bad,
         bad_reviews = excluded.bad_reviews,
         first_seq = COALESCE(MIN(first_seq, excluded.first_seq), first_seq, excluded.first_seq)`,
    );
    const noted = db.prepare(
      'SELECT bad_reviews AS bad FROM day_figures WHERE day = ? AND staff_id = ? AND window_no = ?',
    );
    for (const d of days.values()) {
      const earlier = noted.get(d.day, d.staffId, d.windowNo) as { bad: string } | undefined;
      const badReviews = [
        ...(earlier ? (JSON.parse(earlier.bad) as FoldedBadReview[]) : []),
        ...d.badReviews,
      ];
      add.run({ ...d, badReviews: JSON.stringify(badReviews) });
    }
    const presses = db
      .prepare(
        // The oldest presses before the cutoff, a bounded number of them (by the press-time index),
        // less those of an evaluation still kept (they go when it folds); never the last
        // RECENT_PRESSES_KEPT: the board resends a KEY until it is acknowledged, and a pad clock set
        // hours ahead must not let a committed one through twice (raw_inputs_board_key).
        `DELETE FROM raw_inputs WHERE id IN (
           SELECT o.id FROM (
             SELECT p.id AS id, p.evaluation_id AS evaluationId FROM raw_inputs p
             WHERE p.at_ms < @cutoff ORDER BY p.at_ms LIMIT @limit) o
           WHERE o.id <= (SELECT MAX(id) FROM raw_inputs) - ${RECENT_PRESSES_KEPT}
             AND (o.evaluationId IS NULL OR NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.id = o.evaluationId)))`,
      )
      .run({ cutoff, limit: (opts.limit ?? FOLDS_PER_CALL) * 8 }).changes;
    return { evaluations: due.length, presses };
  })();
}

/** The outcome a case is counted with: its record's, else its row's (the figures' rule). */
function addCase(d: DayCounts, f: CaseFact, offset: number): void {
  const status = f.status ?? f.outcome ?? 'cancelled';
  const satisfaction = f.status !== null ? f.satisfaction : f.outcome === 'rated' ? f.chosen : null;
  d.started += 1;
  if (status === 'rated') {
    d.rated += 1;
    if (satisfaction !== null && satisfaction >= 3) d.good += 1;
    if (satisfaction !== null && satisfaction <= 2) {
      d.bad += 1;
      // as the live figures date it: the record's assessTime (true time), else the chosen time
      const assessMs =
        (f.body !== null ? assessMsOf(f.body) : null) ?? (f.chosenMs === null ? null : f.chosenMs + offset);
      d.badReviews.push([f.recordId, satisfaction, assessMs]);
    }
  } else if (status === 'unrated') {
    d.unrated += 1;
    if (f.outcome === 'unrated' && f.chosen !== null && f.chosen <= 2) d.abandonedBad += 1;
  } else d.cancelled += 1;
}

/** The CST date of the record's startedTime, when it was sealed on a confirmed clock. */
function confirmedDayOf(body: string | null): string | null {
  if (body === null) return null;
  try {
    const rec = JSON.parse(body) as { startedTime?: unknown; clockUnsynced?: unknown };
    if (rec.clockUnsynced === true || typeof rec.startedTime !== 'string') return null;
    return /^\d{4}-\d{2}-\d{2} /.test(rec.startedTime) ? rec.startedTime.slice(0, 10) : null;
  } catch {
    return null;
  }
}
