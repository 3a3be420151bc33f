/**
 * Verification of a long chain: what `npm run verify` (the technician's check) runs —
 * verifyChainInParallel, one worker per core — over the cached million-record database, in
 * records per second, against the goal of 200,000 records/s (a year of a busy window checked in a
 * few seconds on the pad). The same walk on one thread (verifyChain, what retention runs over
 * the records it deletes) is reported beside it.
 *   npx tsx tools/bench/verify-million.ts        (BENCH_MILLION=1000000 by default)
 */
import { availableParallelism } from 'node:os';
import { openDatabase } from '../../src/store/db.js';
import { verifyChainInParallel } from '../../src/store/verify-parallel.js';
import { verifyChain, type VerifyResult } from '../../src/store/verify.js';
import { millionDb, MILLION } from './million.js';
import { report } from './report.js';

const file = millionDb();
const db = openDatabase(file, { readonly: true });

async function timed(label: string, run: () => VerifyResult | Promise<VerifyResult>): Promise<number> {
  const t0 = performance.now();
  const r = await run();
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`the benchmark chain does not verify: ${JSON.stringify(r.firstBroken)}`);
  if (r.count !== MILLION) throw new Error(`verified ${r.count} records, expected ${MILLION}`);
  console.log(`${label}: verified ${r.count.toLocaleString('en-US')} records in ${(ms / 1000).toFixed(2)} s`);
  return (r.count / ms) * 1000;
}

const workers = availableParallelism();
const parallel = await timed(`${workers} workers`, () => verifyChainInParallel(db, file));
const single = await timed('one thread', () => verifyChain(db));
db.close();
report('verify-million', [
  {
    figure: 'verify 1M-record chain',
    value: parallel,
    unit: 'records/s',
    floor: 200_000,
    floorLabel: 'goal',
    kind: 'ge',
    goal: 1,
    note: `${workers} worker threads (npm run verify)`,
  },
  {
    figure: 'verify 1M-record chain, one thread',
    value: single,
    unit: 'records/s',
    floor: 200_000,
    floorLabel: 'goal',
    kind: 'info',
    goal: null,
    note: 'verifyChain, as retention runs it',
  },
]);
