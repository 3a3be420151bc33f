/**
 * Commit latency of a rating through the evaluation service (start + press = the two transactions
 * of one rating), beside a bare better-sqlite3 FULL-sync one-row commit measured in the same run
 * (interleaved in rounds, so a burst of load from elsewhere hits both; on a wrapped log, as the
 * pad's is: bare.ts) and a bare commit of as many pages as a sealing press writes (what the pages
 * alone cost, decision 230), and the bytes each stored
 * evaluation costs, per table and index (dbstat), with the platform acknowledging every 20
 * evaluations as it does for a pad on line and the pad's upkeep folding the evaluations closed
 * 4 h before into their records (decision 220) as often. The bytes are the file's growth over the
 * measured evaluations after a warm-up as long as the fold's wait, so the last hours' working rows
 * are there at both ends, as on a pad in service; the growth from an empty file is printed too.
 *   npx tsx tools/bench/commit-latency.ts        (BENCH_N=2000 ratings by default)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { foldClosedEvaluations } from '../../src/store/fold.js';
import { markDelivered, pendingRecords } from '../../src/store/outbox.js';
import { serviceFixture, oneCase, STAFF } from '../../tests/helpers/service.js';
import { bareCommits, bareCommitsOfPages, bareCommitsIntoNewLog, sealedRecordCommits } from './bare.js';
import { report } from './report.js';
import { elapsedMs, percentiles } from './stats.js';

const N = Number(process.env.BENCH_N ?? 2000);
const ROUNDS = 4;

/** Evaluations before the measured ones: 4.6 h of the pad's clock, longer than the fold's wait. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);

/**
 * The pages one sealing press (3–5 stars: sealed at once) commits, the median over 60, on a pad
 * of its own after 300 evaluations: a full checkpoint right before the press lets the press
 * restart the log, and the next checkpoint reports how many frames the log holds.
 */
function pagesPerSealingPress(): number {
  const fx = serviceFixture({ keepChanges: false });
  const frames: number[] = [];
  try {
    for (let i = 0; frames.length < 60; i++) {
      fx.svc.start(
        { cases: [oneCase(`370900-2026-${String(i).padStart(6, '0')}`)] },
        { origin: 'window_api', staff: STAFF },
      );
      fx.clock.advance(3000);
      if (i >= 300) fx.db.pragma('wal_checkpoint(PASSIVE)');
      fx.svc.press({
        source: 'key',
        key: 3 + (i % 3),
        board: { serial: 'BENCH', bootId: 1, counter: i + 1 },
      });
      if (i >= 300) {
        const [log] = fx.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
        if (log) frames.push(log.log);
      }
      fx.clock.advance(30_000);
    }
    return percentiles(frames).p50;
  } finally {
    fx.cleanup();
  }
}

interface PadRun {
  press: number[];
  start: number[];
  bytesPerEvaluation: number;
  bytesFromEmpty: number;
  perObject: string[];
}

function pad(): PadRun {
  const fx = serviceFixture({ keepChanges: false });
  const press: number[] = [];
  const start: number[] = [];
  const fileBytes = () =>
    ['kiosk.db', 'kiosk.db-wal'].reduce(
      (s, f) => s + (statSync(join(fx.dir, f), { throwIfNoEntry: false })?.size ?? 0),
      0,
    );
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const empty = fileBytes();
  const evaluate = (i: number, timed: boolean) => {
    let t = process.hrtime.bigint();
    fx.svc.start(
      { cases: [oneCase(`370900-2026-${String(i).padStart(6, '0')}`)] },
      { origin: 'window_api', staff: STAFF },
    );
    if (timed) start.push(elapsedMs(t));
    fx.clock.advance(3000);
    t = process.hrtime.bigint();
    fx.svc.press({
      source: 'key',
      key: 1 + (i % 5),
      board: { serial: 'BENCH', bootId: 1, counter: i + 1 },
    });
    if (timed) press.push(elapsedMs(t));
    // 1–2 stars go to the reasons step: give the reasons so every evaluation is sealed.
    if (i % 5 < 2) {
      const open = fx.svc.openEvaluation();
      if (open) fx.svc.submitReasons(open.evaluation.id, [], '等待时间太长');
    }
    fx.clock.advance(30_000);
    // The platform acknowledges as a pad on line sees it (untimed): every 20 evaluations, what
    // is pending is marked delivered the way the uploader does, so the outbox is at its steady
    // size and the pages it frees are reused. The upkeep folds what closed 4 h ago as often
    // (every 10 min of the pad's clock; 20 evaluations here are 11 min).
    if (i % 20 === 19) {
      const refs = pendingRecords(fx.db, 100).map((r) => r.recordId);
      markDelivered(fx.db, refs, fx.clock.now());
      foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() });
    }
  };
  let i = 0;
  for (; i < WARMUP; i++) evaluate(i, false);
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const before = fileBytes();
  const bare: number[] = [];
  const samePages: number[] = [];
  const newLog: number[] = [];
  const sealedAlone: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(...bareCommits(N / ROUNDS));
    samePages.push(...bareCommitsOfPages(N / ROUNDS, PAGES));
    newLog.push(...bareCommitsIntoNewLog(N / ROUNDS));
    sealedAlone.push(...sealedRecordCommits(N / ROUNDS));
    for (let k = 0; k < N / ROUNDS; k++, i++) evaluate(i, true);
  }
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytesPerEvaluation = (fileBytes() - before) / N;
  const bytesFromEmpty = (fileBytes() - empty) / (WARMUP + N);
  const perObject = (
    fx.db
      .prepare(
        `SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name HAVING bytes > 8192 ORDER BY bytes DESC`,
      )
      .all() as Array<{ name: string; bytes: number; payload: number }>
  ).map(
    (r) =>
      `${r.name.padEnd(34)} ${(r.bytes / (WARMUP + N)).toFixed(0).padStart(5)} B/eval  (payload ${(r.payload / (WARMUP + N)).toFixed(0)})`,
  );
  fx.cleanup();
  bareSamples.push(...bare);
  samePagesSamples.push(...samePages);
  newLogSamples.push(...newLog);
  sealedAloneSamples.push(...sealedAlone);
  return { press, start, bytesPerEvaluation, bytesFromEmpty, perObject };
}

const bareSamples: number[] = [];
// The one-row floor's commit writes one page, a sealing press PAGES: the same number of pages
// committed with nothing else done, in the same rounds, is the floor of the pages alone.
const PAGES = pagesPerSealingPress();
const samePagesSamples: number[] = [];
const newLogSamples: number[] = [];
const sealedAloneSamples: number[] = [];
const p = pad();
const b = percentiles(bareSamples);
const samePages = percentiles(samePagesSamples);
const newLog = percentiles(newLogSamples);
const sealedAlone = percentiles(sealedAloneSamples);
const ps = percentiles(p.press);
const ss = percentiles(p.start);
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(`commit latency over ${N} ratings (WAL, synchronous=FULL, this machine's disk):`);
console.log(`  bare one-row commit                    p50 ${ms(b.p50)}  p99 ${ms(b.p99)}`);
console.log(`  start evaluation (window API txn)      p50 ${ms(ss.p50)}  p99 ${ms(ss.p99)}`);
console.log(`  rating commit (press → sealed+outbox)  p50 ${ms(ps.p50)}  p99 ${ms(ps.p99)}`);
console.log(
  `  bare commit of ${String(PAGES).padEnd(2)} pages (a sealing press's) p50 ${ms(samePages.p50)}  p99 ${ms(samePages.p99)}`,
);
console.log(
  `  bare one-row commit into a new log     p50 ${ms(newLog.p50)}  p99 ${ms(newLog.p99)}  (the floor until the fifteenth pass of docs/perf.md)`,
);
console.log(
  `  one record sealed and committed alone   p50 ${ms(sealedAlone.p50)}  p99 ${ms(sealedAlone.p99)}  (the least a sealing press could be: decision 231)`,
);
console.log(
  `bytes per evaluation: ${p.bytesPerEvaluation.toFixed(1)} over the measured ${N}, ${p.bytesFromEmpty.toFixed(1)} from an empty file over ${WARMUP + N}`,
);
console.log(`what the file holds at the end, per evaluation (dbstat, pages; the last 4 h not folded yet):`);
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
    figure: 'rating commit p50 / a bare commit of as many pages',
    value: ps.p50,
    unit: 'ms',
    floor: samePages.p50,
    floorLabel: `bare ${PAGES}-page commit p50`,
    kind: 'info',
    goal: null,
    note: `a sealing press commits ${PAGES} pages; a bare commit of as many is ${(samePages.p50 / b.p50).toFixed(2)} × the one-row commit`,
  },
  {
    figure: 'rating commit p50 / a bare one-row commit into a new log',
    value: ps.p50,
    unit: 'ms',
    floor: newLog.p50,
    floorLabel: 'bare commit p50, log growing',
    kind: 'info',
    goal: null,
    note: 'the floor until the fifteenth pass of docs/perf.md: a new file whose log grows at every commit',
  },
  {
    figure: 'rating commit p50 / one record sealed and committed alone',
    value: ps.p50,
    unit: 'ms',
    floor: sealedAlone.p50,
    floorLabel: 'sealed record alone p50',
    kind: 'info',
    goal: null,
    note: `the least a sealing press could be (one row, made, hashed and packed; no checks, no other row): ${(sealedAlone.p50 / b.p50).toFixed(2)} × the one-row commit`,
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
    note: `db + wal growth after checkpoint over ${N} after ${WARMUP} (the fold's wait); 2 in 5 are 差评 with reasons; uploaded and acknowledged every 20, folded 4 h after closing`,
  },
  {
    figure: 'bytes per evaluation from an empty file',
    value: p.bytesFromEmpty,
    unit: 'B',
    floor: 400,
    floorLabel: 'budget',
    kind: 'info',
    goal: null,
    note: `${WARMUP + N} evaluations; the last 4 h still have their working rows`,
  },
]);
