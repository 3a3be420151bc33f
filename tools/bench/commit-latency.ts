/**
 * Commit latency of a rating through the evaluation service (start + press = the two transactions
 * of one rating), beside a bare better-sqlite3 FULL-sync one-row commit measured in the same run
 * (interleaved in rounds, so a burst of load from elsewhere hits both), and the bytes each stored
 * evaluation costs, per table and index (dbstat), with the platform acknowledging every 20
 * evaluations as it does for a pad on line.
 *   npx tsx tools/bench/commit-latency.ts        (BENCH_N=2000 ratings by default)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { markDelivered, pendingRecords } from '../../src/store/outbox.js';
import { serviceFixture, oneCase, STAFF } from '../../tests/helpers/service.js';
import { bareCommits } from './bare.js';
import { report } from './report.js';
import { elapsedMs, percentiles } from './stats.js';

const N = Number(process.env.BENCH_N ?? 2000);
const ROUNDS = 4;

function pad(): { press: number[]; start: number[]; bytesPerEvaluation: number; perObject: string[] } {
  const fx = serviceFixture();
  const press: number[] = [];
  const start: number[] = [];
  const fileBytes = () =>
    ['kiosk.db', 'kiosk.db-wal'].reduce(
      (s, f) => s + (statSync(join(fx.dir, f), { throwIfNoEntry: false })?.size ?? 0),
      0,
    );
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const before = fileBytes();
  const bare: number[] = [];
  let i = 0;
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(...bareCommits(N / ROUNDS));
    for (let k = 0; k < N / ROUNDS; k++, i++) {
      let t = process.hrtime.bigint();
      fx.svc.start(
        { cases: [oneCase(`370900-2026-${String(i).padStart(6, '0')}`)] },
        { origin: 'window_api', staff: STAFF },
      );
      start.push(elapsedMs(t));
      fx.clock.advance(3000);
      t = process.hrtime.bigint();
      fx.svc.press({
        source: 'key',
        key: 1 + (i % 5),
        board: { serial: 'BENCH', bootId: 1, counter: i + 1 },
      });
      press.push(elapsedMs(t));
      // 1–2 stars go to the reasons step: give the reasons so every evaluation is sealed.
      if (i % 5 < 2) {
        const open = fx.svc.openEvaluation();
        if (open) fx.svc.submitReasons(open.evaluation.id, [], '等待时间太长');
      }
      fx.clock.advance(30_000);
      // The platform acknowledges as a pad on line sees it (untimed): every 20 evaluations, what
      // is pending is marked delivered the way the uploader does, so the outbox is at its steady
      // size and the pages it frees are reused.
      if (i % 20 === 19) {
        const refs = pendingRecords(fx.db, 100).map((r) => r.recordId);
        markDelivered(fx.db, refs, fx.clock.now());
      }
    }
  }
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytesPerEvaluation = (fileBytes() - before) / N;
  const perObject = (
    fx.db
      .prepare(
        `SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name HAVING bytes > 8192 ORDER BY bytes DESC`,
      )
      .all() as Array<{ name: string; bytes: number; payload: number }>
  ).map(
    (r) =>
      `${r.name.padEnd(34)} ${(r.bytes / N).toFixed(0).padStart(5)} B/eval  (payload ${(r.payload / N).toFixed(0)})`,
  );
  fx.cleanup();
  bareSamples.push(...bare);
  return { press, start, bytesPerEvaluation, perObject };
}

const bareSamples: number[] = [];
const p = pad();
const b = percentiles(bareSamples);
const ps = percentiles(p.press);
const ss = percentiles(p.start);
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(`commit latency over ${N} ratings (WAL, synchronous=FULL, this machine's disk):`);
console.log(`  bare one-row commit                    p50 ${ms(b.p50)}  p99 ${ms(b.p99)}`);
console.log(`  start evaluation (window API txn)      p50 ${ms(ss.p50)}  p99 ${ms(ss.p99)}`);
console.log(`  rating commit (press → sealed+outbox)  p50 ${ms(ps.p50)}  p99 ${ms(ps.p99)}`);
console.log(`bytes per evaluation by table and index (dbstat, pages):`);
for (const line of p.perObject) console.log(`  ${line}`);
report('commit-latency', [
  {
    figure: 'rating commit p50',
    value: ps.p50,
    unit: 'ms',
    floor: b.p50,
    floorLabel: 'bare one-row commit p50',
    kind: 'le',
    goal: 1.5,
  },
  {
    figure: 'start evaluation p50',
    value: ss.p50,
    unit: 'ms',
    floor: b.p50,
    floorLabel: 'bare one-row commit p50',
    kind: 'info',
    goal: null,
  },
  {
    figure: 'bytes per stored evaluation',
    value: p.bytesPerEvaluation,
    unit: 'B',
    floor: 400,
    floorLabel: 'budget',
    kind: 'le',
    goal: 1,
    note: 'db + wal after checkpoint; 2 in 5 are 差评 with reasons; uploaded and acknowledged every 20',
  },
]);
