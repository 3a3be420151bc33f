import type { Clock } from '../../domain/clock.js';
import type { CancelReason, PlatformRecord } from '../../domain/record.js';
import type { Db } from '../../store/db.js';
import type { HallIdentity, Logger, Norms, TimingConfig } from '../../domain/types.js';

export type EvaluationState = 'waiting' | 'reasons' | 'rated' | 'unrated' | 'cancelled';
export type Origin = 'window_api' | 'staff_panel' | 'scanner';
export type InputSource = 'key' | 'touch';

export interface EvaluationRow {
  id: string;
  state: EvaluationState;
  group_type: 'batch' | 'chain' | null;
  chain_mode: 'overall' | 'each' | null;
  current_idx: number;
  staff_id: string;
  staff_name: string;
  window_no: string;
  origin: Origin;
  started_ms: number;
  prompt_ms: number;
  step_deadline_ms: number | null;
  closed_ms: number | null;
  close_reason: string | null;
  cancelled_by: string | null;
  cancel_reason: CancelReason | null;
  norm_version: string;
  risk_flags: string;
  receipt_prints: number;
  /** The last raw_inputs id logged before it started (decision 211). */
  inputs_after: number;
}

export interface CaseRow {
  evaluation_id: string;
  idx: number;
  /** 1 when the evaluation has several cases (the record id then ends in -<idx + 1>). */
  grouped: 0 | 1;
  /** Computed by the table from the three above (decision 211); never inserted. */
  record_id: string;
  project_no: string;
  service_number: number;
  task_code: string;
  task_name: string;
  promise_type: 1 | 2;
  chosen_satisfaction: number | null;
  chosen_source: InputSource | null;
  chosen_ms: number | null;
  outcome: 'rated' | 'unrated' | 'cancelled' | null;
}

export interface Loaded {
  evaluation: EvaluationRow;
  cases: CaseRow[];
}

export interface BoardKeyId {
  serial: string;
  bootId: number;
  counter: number;
}

export interface PressInput {
  source: InputSource;
  key: number;
  board?: BoardKeyId;
  /** the touch screen names the evaluation it was showing, so a stale tap can't rate the next one */
  evaluationId?: string;
}

export type PressOutcome =
  | { disposition: 'duplicate' }
  | { disposition: 'no_evaluation' }
  | { disposition: 'not_first' }
  | { disposition: 'not_a_star' }
  | {
      disposition: 'rating';
      evaluationId: string;
      next: 'rated' | 'reasons' | 'next_item';
      sealed: PlatformRecord[];
    };

export interface EvaluationDeps {
  db: Db;
  clock: Clock;
  timing: () => TimingConfig;
  hall: () => HallIdentity;
  norms: () => Norms;
  clockOffsetMs: () => number;
  /** true while the pad's time is unconfirmed (no platform answer since start, or a wall-clock jump since) */
  clockUnsynced?: () => boolean;
  log: Logger;
  /** after every committed change: push snapshots, drive LEDs, kick the uploader */
  onCommitted: (change: CommittedChange) => void;
}

/**
 * The deps with the reference data a step reads (hall, norms, timings, clock offset) taken once,
 * before its transaction: inside the sealing transaction each read would be a query or a parse
 * while the write lock is held, and in this single-threaded process nothing can change them
 * between this read and the seal.
 */
export function settledDeps(deps: EvaluationDeps): EvaluationDeps {
  const timing = deps.timing();
  const hall = deps.hall();
  const norms = deps.norms();
  const offset = deps.clockOffsetMs();
  const unsynced = deps.clockUnsynced?.() ?? false;
  return {
    ...deps,
    timing: () => timing,
    hall: () => hall,
    norms: () => norms,
    clockOffsetMs: () => offset,
    clockUnsynced: () => unsynced,
  };
}

export type CommittedChange =
  | { kind: 'started'; evaluation: EvaluationRow; cases: CaseRow[] }
  | { kind: 'cancelled'; evaluationId: string; sealed: PlatformRecord[] }
  /** `sealed`: records a chain item rated one by one produced on the way (a 差评 goes out at once) */
  | { kind: 'step'; evaluationId: string; state: EvaluationState; sealed: PlatformRecord[] }
  | {
      kind: 'closed';
      evaluationId: string;
      outcome: 'rated' | 'unrated';
      sealed: PlatformRecord[];
      chosenKey: number | null;
    }
  | { kind: 'stray_press' };

/** Reads an evaluation with its cases; inside or outside a transaction. */
export function loadEvaluation(db: Db, id: string): Loaded | null {
  const ev = db.prepare('SELECT * FROM evaluations WHERE id = ?').get(id) as EvaluationRow | undefined;
  return ev ? { evaluation: ev, cases: casesOf(db, ev.id) } : null;
}

export function casesOf(db: Db, id: string): CaseRow[] {
  return db
    .prepare('SELECT * FROM evaluation_cases WHERE evaluation_id = ? ORDER BY idx')
    .all(id) as CaseRow[];
}

export function loadOpen(db: Db): Loaded | null {
  const ev = db
    .prepare(
      `SELECT * FROM evaluations WHERE state IN ('waiting', 'reasons') ORDER BY started_ms DESC LIMIT 1`,
    )
    .get() as EvaluationRow | undefined;
  return ev ? { evaluation: ev, cases: casesOf(db, ev.id) } : null;
}

/** The cases the current step rates: all of them, or the current item in chain 'each' mode. */
export function targetsOf(ev: EvaluationRow, cases: CaseRow[]): CaseRow[] {
  if (ev.group_type === 'chain' && ev.chain_mode === 'each') {
    const c = cases.find((x) => x.idx === ev.current_idx);
    return c ? [c] : [];
  }
  return cases.filter((c) => c.outcome === null);
}

export function parseFlags(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
