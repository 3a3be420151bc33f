import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../config/config-file.js';
import { cleanStopFile, describeCleanStop, markCheckFailed } from '../store/clean-stop.js';
import { findIntegrityProblem, type IntegrityFinding } from '../store/integrity.js';
import type { Db } from '../store/db.js';
import type { KioskLogger } from './log.js';
import type { StorageHealth, StorageState } from './storage-health.js';

/**
 * The database's full integrity check beside the running pad, after a clean stop let the start
 * skip it (decision 178), and the clean-stop marker itself.
 *
 * The check runs in a worker thread so the window API answers meanwhile; WAL mode lets its
 * read-only connection read a consistent snapshot while the pad writes. The worker is an `eval`
 * worker running the check's own source text (store/integrity.ts) with better-sqlite3 required
 * by the path this module resolves: no separate worker file has to be found next to the
 * TypeScript sources, the ESM core bundle or Electron's CommonJS main bundle.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.sqlite);
const findIntegrityProblem = ${findIntegrityProblem.toString()};
const t0 = performance.now();
const finding = findIntegrityProblem(Sqlite, workerData.path);
parentPort.postMessage({ finding, ms: performance.now() - t0 });
`;

/** How long a stop waits for a running check to end (a native statement runs to its end first). */
const STOP_WAIT_MS = 3000;

export type CheckOutcome = 'ok' | 'damaged' | 'not_run';

export interface IntegrityWatchDeps {
  storage: Pick<StorageHealth, 'markDamaged'>;
  log: KioskLogger['write'];
  /** called once with the outcome (tests) */
  onDone?: (outcome: CheckOutcome) => void;
}

/** What the composition root hands over: the parts exist by the time the closer runs. */
export interface IntegrityHost {
  readonly db: Db;
  readonly storage: Pick<StorageHealth, 'markDamaged' | 'state'>;
  readonly log: KioskLogger;
  readonly clock: { now(): number };
}

/**
 * The outcome of this run's full integrity check (at start, or in the background after a clean
 * stop): what the heartbeat and the technician screen report. They read it instead of checking
 * again: a check walks the whole file (seconds on a large database) and would hold the event
 * loop, and with it key presses, once a minute.
 */
export class IntegrityLedger {
  private result = 'checking';
  private atMs: number | null = null;

  note(result: string, atMs: number): void {
    this.result = result;
    this.atMs = atMs;
  }

  /** `ok`, `checking` (the background check still runs), `damaged` or `not checked`. */
  read(): { integrity: string; checkedMs: number | null } {
    return { integrity: this.result, checkedMs: this.atMs };
  }
}

/**
 * For the composition root: starts the background check when the start deferred it, and returns
 * the closer to run last at stop — end the check, close the database, record the clean stop.
 */
export function watchIntegrity(
  integrity: 'checked' | 'deferred',
  dbPath: string,
  host: IntegrityHost,
  ledger: IntegrityLedger,
): () => Promise<void> {
  const log: KioskLogger['write'] = (...a) => host.log.write(...a);
  if (integrity === 'checked') ledger.note('ok', host.clock.now());
  const endCheck =
    integrity === 'deferred'
      ? checkInBackground(dbPath, {
          storage: host.storage,
          log,
          onDone: (outcome) => ledger.note(outcome === 'not_run' ? 'not checked' : outcome, host.clock.now()),
        })
      : null;
  return async () => {
    await endCheck?.();
    closeCleanly(host.db, dbPath, host.storage.state(), host.clock.now(), log);
  };
}

/**
 * Starts the background check of `dbPath`; returns the closer that ends it (a stop ends a check
 * still running; the next start after a clean stop defers it again). A problem makes the storage
 * state `damaged` (new evaluations get 503, the heartbeat reports an integrity error) and leaves
 * `<db>.check-failed`, so the next start runs the full check first and repairs the file. A check
 * that could not run leaves the same marker without changing the storage state.
 */
export function checkInBackground(dbPath: string, deps: IntegrityWatchDeps): () => Promise<void> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  let finished = false;
  let worker: Worker | null = null;
  const finish = (outcome: CheckOutcome, why?: string) => {
    if (finished) return;
    finished = true;
    if (outcome !== 'ok') {
      try {
        markCheckFailed(dbPath, outcome, why);
      } catch (err) {
        deps.log('error', 'could not record the failed check', { error: (err as Error).message });
      }
    }
    if (outcome === 'damaged') deps.storage.markDamaged();
    deps.onDone?.(outcome);
  };
  const notRun = (why: string, fields: Record<string, unknown>) => {
    deps.log(
      'warn',
      '完整性检查未能完成，下次启动时检查 / integrity check could not run, next start checks',
      fields,
    );
    finish('not_run', why);
  };
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, path: dbPath } });
  } catch (err) {
    deps.log('warn', '完整性检查未能运行 / integrity check could not start', {
      error: (err as Error).message,
    });
    finish('not_run', (err as Error).message);
    return async () => undefined;
  }
  worker.unref();
  worker.on('message', (m: { finding: IntegrityFinding | null; ms: number }) => {
    if (finished) return;
    const ms = Math.round(m.ms);
    if (m.finding === null) {
      deps.log('info', '数据库完整性检查通过 / database integrity check passed (background)', { ms });
      finish('ok');
    } else if (m.finding.damage) {
      deps.log('error', '数据库完整性检查发现损坏 / database integrity check found damage (background)', {
        ms,
        problem: m.finding.problem,
      });
      finish('damaged', m.finding.problem);
    } else notRun(m.finding.problem, { ms, problem: m.finding.problem });
  });
  worker.on('error', (err) => {
    if (!finished) notRun(err.message, { error: err.message });
  });
  return async () => {
    if (finished || worker === null) return;
    finished = true; // stopped, not failed: the marker of a clean stop decides the next start
    const w = worker;
    await Promise.race([w.terminate(), new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
  };
}

/**
 * Closes the database at a clean stop and records it (`<db>.clean`, atomic, private, fsynced),
 * unless the storage is known damaged (then the next start must check and repair) or a WAL was
 * left (another connection, such as a check still ending, kept it: the next start checks).
 */
export function closeCleanly(
  db: Db,
  dbPath: string,
  storage: StorageState,
  nowMs: number,
  log: KioskLogger['write'],
): void {
  if (db.open) db.close();
  if (storage === 'damaged') return;
  try {
    const text = describeCleanStop(dbPath, nowMs);
    if (text !== null) writeFileAtomic(cleanStopFile(dbPath), text);
  } catch (err) {
    // A full or read-only disk: without the marker the next start simply runs the full check.
    log('warn', 'clean stop not recorded', { error: (err as Error).message });
  }
}
