/**
 * Verification of a long chain: verifyChain (what `npm run verify`, retention and a technician's
 * check run) over the cached million-record database, in records per second, against the goal of
 * 200,000 records/s (a year of a busy window checked in a few seconds on the pad).
 *   npx tsx tools/bench/verify-million.ts        (BENCH_MILLION=1000000 by default)
 */
import { openDatabase } from '../../src/store/db.js';
import { verifyChain } from '../../src/store/verify.js';
import { millionDb, MILLION } from './million.js';
import { report } from './report.js';

const file = millionDb();
const db = openDatabase(file, { readonly: true });
const t0 = performance.now();
const r = verifyChain(db);
const ms = performance.now() - t0;
db.close();
if (!r.ok) throw new Error(`the benchmark chain does not verify: ${JSON.stringify(r.firstBroken)}`);
if (r.count !== MILLION) throw new Error(`verified ${r.count} records, expected ${MILLION}`);
const perS = (r.count / ms) * 1000;
console.log(`verified ${r.count.toLocaleString('en-US')} records in ${(ms / 1000).toFixed(2)} s`);
report('verify-million', [
  {
    figure: 'verify 1M-record chain',
    value: perS,
    unit: 'records/s',
    floor: 200_000,
    floorLabel: 'goal',
    kind: 'ge',
    goal: 1,
  },
]);
