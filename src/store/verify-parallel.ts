import { availableParallelism } from 'node:os';
import { walkChainRange, type WalkRange } from './chain-walk.js';
import { getMeta, type Db } from './db.js';
import {
  HASH_HEX_SQL,
  readAnchor,
  chainStart,
  chainEnd,
  verifyChain,
  walkEnv,
  type VerifyResult,
} from './verify.js';
import { walkInWorkers } from './verify-workers.js';

/**
 * verifyChain over a long chain on every core (decision 205): the chain is cut into ranges of
 * deviceSeq, several for each worker, walked by chain-walk.ts in worker threads
 * (verify-workers.ts), each with its own read-only connection. A range after the first starts
 * from the stored hash of the record before it; the range before checks that that stored hash is
 * its record's own, so the ranges together check every link. Anything else than every range clean
 * and contiguous — a problem, a gap, a worker that fails — and the answer is verifyChain's, walked
 * here on this thread: the detailed answer always comes from one place.
 */

/** Below this many records one thread is faster than starting workers. */
const PARALLEL_FROM = 50_000;

/**
 * Ranges per worker: a worker takes the next range when it is done with one, so a thread slowed
 * by other work leaves its share to the others; a range of a 1,000,000-record chain on two workers
 * is then ~31,000 records, a quarter of a second.
 */
const RANGES_PER_WORKER = 16;

/** The stored hash of one record, in hex; null when the record is not there. */
function storedHash(db: Db, deviceSeq: number): string | null {
  const row = db.prepare(`SELECT ${HASH_HEX_SQL} AS h FROM records WHERE device_seq = ?`).get(deviceSeq) as
    { h: unknown } | undefined;
  return row === undefined ? null : String(row.h);
}

/**
 * `db` is an open connection to the file at `path` (the chain's start and end are read through
 * it); `workers` defaults to the machine's cores, `ranges` to RANGES_PER_WORKER a worker; a chain
 * shorter than `minRecords` is walked on this thread.
 */
export async function verifyChainInParallel(
  db: Db,
  path: string,
  opts: {
    workers?: number;
    ranges?: number;
    minRecords?: number;
    /** how the answer was reached: by the workers, or by verifyChain on this thread */
    onAnswer?: (how: 'workers' | 'this thread') => void;
    /** Called when the workers are done, before the chain's end is read (tests: a pad sealing meanwhile). */
    onWalked?: () => void;
  } = {},
): Promise<VerifyResult> {
  const here = (): VerifyResult => {
    opts.onAnswer?.('this thread');
    return verifyChain(db);
  };
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const anchor = readAnchor(db);
  const lastSeq = Number(getMeta(db, 'last_device_seq') ?? '0');
  if (anchor === 'invalid' || workers === 1) return here();
  const { start, readAbove } = chainStart(db, anchor);
  const total = lastSeq - start.deviceSeq;
  // Written so that a meta value that is not a number (NaN) also goes to the careful walk.
  if (!(total > 0 && total >= (opts.minRecords ?? PARALLEL_FROM))) return here();

  const ranges: WalkRange[] = [];
  const cuts = opts.ranges !== undefined && opts.ranges >= 1 ? opts.ranges : workers * RANGES_PER_WORKER;
  const per = Math.ceil(total / cuts);
  for (let from = start.deviceSeq; from < lastSeq; from += per) {
    const first = from === start.deviceSeq;
    const prevHash = first ? start.hash : storedHash(db, from);
    if (prevHash === null) return here();
    ranges.push({
      // The first range reads from below the chain's start as verifyChain does, so a stray row shows.
      readAbove: first ? readAbove : from,
      prevSeq: from,
      prevHash,
      // The last range reads to the end, past meta's last deviceSeq too, as verifyChain does.
      throughSeq: from + per >= lastSeq ? Number.MAX_SAFE_INTEGER : from + per,
    });
  }
  const results = await walkInWorkers(path, ranges, workers);
  if (results === null) return here();
  let count = 0;
  let last: { lastSeq: number; lastHash: string } = { lastSeq: start.deviceSeq, lastHash: start.hash };
  for (const [i, result] of results.entries()) {
    const range = ranges[i] as WalkRange;
    const next = ranges[i + 1];
    // Each range must end where the next one starts, at the hash the next one started from (read
    // by this connection; the workers' snapshots could differ if the pad wrote meanwhile).
    if (next !== undefined && (result.lastSeq !== range.throughSeq || result.lastHash !== next.prevHash))
      return here();
    count += result.count;
    last = result;
  }
  opts.onWalked?.();
  // The workers read the database at their own moments; a pad in service may have sealed records
  // since (`npm run verify` runs beside it). Those are walked here, and the chain's end read, in one
  // read transaction, so they are checked rather than taken for a missing tail.
  const end = db.transaction((): VerifyResult | null => {
    const tail = walkChainRange(walkEnv(), db, {
      readAbove: last.lastSeq,
      prevSeq: last.lastSeq,
      prevHash: last.lastHash,
      throughSeq: Number.MAX_SAFE_INTEGER,
    });
    if (!tail.clean) return null;
    return chainEnd(db, { count: count + tail.count, lastSeq: tail.lastSeq, lastHash: tail.lastHash });
  })();
  if (end === null) return here();
  opts.onAnswer?.('workers');
  return end;
}
