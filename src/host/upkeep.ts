import type { Logger } from '../domain/types.js';
import { continueFromPlatform } from '../store/continuation.js';
import type { Db } from '../store/db.js';
import { foldClosedEvaluations } from '../store/fold.js';
import { getRefdata } from '../store/refdata.js';
import { pruneDelivered, pruneWorkingRows } from '../store/retention.js';
import type { StorageHealth } from './storage-health.js';

/** The platform's profile arrived: continue the sequence above what it holds (continuation.ts). */
export function applyPlatformSequence(
  db: Db,
  storage: Pick<StorageHealth, 'setWaitingForSeq' | 'report'>,
  log: Logger,
): void {
  const p = getRefdata(db, 'profile')?.value;
  if (p?.lastDeviceSeq === undefined || p.lastHash === undefined) return;
  try {
    const r = continueFromPlatform(db, { lastDeviceSeq: p.lastDeviceSeq, lastHash: p.lastHash });
    if (r.moved) log('warn', 'deviceSeq continues above the platform position', { ...r });
    storage.setWaitingForSeq(false);
  } catch (err) {
    storage.report(err);
    log('error', 'sequence continuation failed', { error: (err as Error).message });
  }
}

/**
 * Delivered records past retention go; the chain stays verifiable from its anchor. Then the working
 * rows and key presses of evaluations whose records are gone. Both only on time the platform
 * confirmed since this start (decision 215): a pad clock reset or set years ahead must not make
 * a year of the pad's own history look old.
 */
export function pruneOldRecords(
  db: Db,
  keepDays: number,
  log: Logger,
  /** True time, null while the platform has not confirmed the pad's clock since this start. */
  trueNow: () => number | null,
): void {
  const now = trueNow();
  if (now === null) return;
  try {
    const r = pruneDelivered(db, { keepDays, nowMs: now });
    if (r.deleted > 0) log('info', 'pruned delivered records', { ...r });
  } catch (err) {
    log('error', 'retention failed', { error: (err as Error).message });
  }
  // Separately: a chain that does not verify keeps its records, not the rows of pruned ones.
  try {
    const w = pruneWorkingRows(db, { keepDays, nowMs: now });
    if (w.evaluations + w.presses + w.history > 0)
      log('info', 'pruned working rows past retention', { ...w });
  } catch (err) {
    log('error', 'retention of working rows failed', { error: (err as Error).message });
  }
}

/** Evaluations folded in one step: a few milliseconds, so a key press never waits long behind it. */
const FOLDS_PER_STEP = 50;

/**
 * One step of folding closed evaluations' working rows into their records (decision 220), on the
 * pad's own clock: folding keeps every fact, so a wrong clock only moves it in time. Returns true
 * when more may be due (a full step was folded): the caller schedules the next step soon, with
 * the event loop free in between.
 */
export function foldStep(db: Db, nowMs: number, clockOffsetMs: number, log: Logger): boolean {
  try {
    const r = foldClosedEvaluations(db, { nowMs, clockOffsetMs, limit: FOLDS_PER_STEP });
    if (r.evaluations + r.presses > 0) log('info', 'folded closed evaluations into their records', { ...r });
    return r.evaluations === FOLDS_PER_STEP;
  } catch (err) {
    log('error', 'folding closed evaluations failed', { error: (err as Error).message });
    return false;
  }
}
