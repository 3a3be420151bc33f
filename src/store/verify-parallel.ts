import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { walkChainRange, type WalkRange, type WalkResult } from './chain-walk.js';
import { getMeta, type Db } from './db.js';
import {
  bytesFieldIs,
  fieldIs,
  fieldNeedle,
  HASH_HEX_SQL,
  readAnchor,
  chainStart,
  chainEnd,
  verifyChain,
  type VerifyResult,
} from './verify.js';
import { recordVersions } from './record-codec.js';
import { restoreRowValues } from './row-values.js';
import { bodyDecoder } from './body-decoder.js';
import { reusedInflater } from './reused-inflater.js';

/**
 * verifyChain over a long chain on every core (decision 205): the chain is cut into as many
 * ranges of deviceSeq as there are workers, each walked by chain-walk.ts in a worker thread with
 * its own read-only connection. A range after the first starts from the stored hash of the
 * record before it; the range before checks that that stored hash is its record's own, so the
 * ranges together check every link. Anything else than every range clean and contiguous — a
 * problem, a gap, a worker that fails — and the answer is verifyChain's, walked here on this
 * thread: the detailed answer always comes from one place.
 *
 * The worker is an `eval` worker running the walk's own source text (as integrity-watch.ts
 * does), so no worker file has to be found next to the sources or the bundles.
 */

/** Below this many records one thread is faster than starting workers. */
const PARALLEL_FROM = 50_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.sqlite);
const zlib = require('node:zlib');
const { hash } = require('node:crypto');
const { isUtf8 } = require('node:buffer');
// Source text run under a TypeScript loader may call its name-keeping helper.
const __name = (f) => f;
const ${reusedInflater.name} = ${reusedInflater.toString()};
const ${bodyDecoder.name} = ${bodyDecoder.toString()};
const ${restoreRowValues.name} = ${restoreRowValues.toString()};
const ${fieldIs.name} = ${fieldIs.toString()};
const ${bytesFieldIs.name} = ${bytesFieldIs.toString()};
const ${fieldNeedle.name} = ${fieldNeedle.toString()};
const ${walkChainRange.name} = ${walkChainRange.toString()};
const decoder = ${bodyDecoder.name}(zlib, ${reusedInflater.name}, workerData.versions, ${restoreRowValues.name});
const env = {
  sha256Hex: (text) => hash('sha256', text, 'hex'),
  unpackHex: decoder.hex,
  withoutRowValues: decoder.withoutRowValues,
  unpackHexBytes: decoder.hexBytes,
  sha256HexOfBytes: (bytes) => hash('sha256', bytes, 'hex'),
  isUtf8,
  bytesFieldIs: ${bytesFieldIs.name},
  fieldIs: ${fieldIs.name},
  fieldNeedle: ${fieldNeedle.name},
};
const db = new Sqlite(workerData.path, { readonly: true, fileMustExist: true });
try {
  parentPort.postMessage(${walkChainRange.name}(env, db, workerData.range));
} finally {
  db.close();
}
`;

function walkInWorker(path: string, range: WalkRange): Promise<WalkResult> {
  // A worker that cannot start or fails is not evidence about the chain: the careful walk answers.
  const notClean: WalkResult = { clean: false, atSeq: range.prevSeq + 1 };
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { sqlite, path, range, versions: recordVersions() },
      });
    } catch {
      resolve(notClean);
      return;
    }
    let answered = false;
    worker.once('message', (result: WalkResult) => {
      answered = true;
      resolve(result);
    });
    worker.once('error', () => resolve(notClean));
    worker.once('exit', () => {
      if (!answered) resolve(notClean);
    });
  });
}

/** The stored hash of one record, in hex; null when the record is not there. */
function storedHash(db: Db, deviceSeq: number): string | null {
  const row = db.prepare(`SELECT ${HASH_HEX_SQL} AS h FROM records WHERE device_seq = ?`).get(deviceSeq) as
    { h: unknown } | undefined;
  return row === undefined ? null : String(row.h);
}

/**
 * `db` is an open connection to the file at `path` (the chain's start and end are read through
 * it); `workers` defaults to the machine's cores; a chain shorter than `minRecords` is walked on
 * this thread.
 */
export async function verifyChainInParallel(
  db: Db,
  path: string,
  opts: {
    workers?: number;
    minRecords?: number;
    /** how the answer was reached: by the workers, or by verifyChain on this thread */
    onAnswer?: (how: 'workers' | 'this thread') => void;
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
  const per = Math.ceil(total / workers);
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
  const results = await Promise.all(ranges.map((range) => walkInWorker(path, range)));
  let count = 0;
  let last: { lastSeq: number; lastHash: string } = { lastSeq: start.deviceSeq, lastHash: start.hash };
  for (const [i, result] of results.entries()) {
    const range = ranges[i] as WalkRange;
    const next = ranges[i + 1];
    // Each range must end where the next one starts, at the hash the next one started from (read
    // by this connection; the workers' snapshots could differ if the pad wrote meanwhile).
    if (
      !result.clean ||
      (next !== undefined && (result.lastSeq !== range.throughSeq || result.lastHash !== next.prevHash))
    )
      return here();
    count += result.count;
    last = result;
  }
  opts.onAnswer?.('workers');
  return chainEnd(db, { count, lastSeq: last.lastSeq, lastHash: last.lastHash });
}
