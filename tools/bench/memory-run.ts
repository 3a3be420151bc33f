/**
 * Resident memory over a long day and more: the pad's core (services, event stream, snapshot
 * pushes, uploader queueing to an unreachable platform) runs BENCH_MEM_N evaluations (100,000 by
 * default) on a fake clock, 33 s apart. RSS is read after a warm-up of 5,000 evaluations and at the
 * end, each after a full GC; the growth between them is the figure (goal ≤ 5 MB). fsync is off
 * here (the figure is memory, not durability) so that the run fits its time budget.
 * Run through memory.ts, which bundles this file and runs it with plain Node, as the pad's core runs:
 *   npx tsx tools/bench/memory.ts
 */
import { KioskCore } from '../../src/host/core.js';
import { putOnDuty, testCoreConfig } from '../../tests/helpers/core.js';
import { FakeClock, tempDir } from '../../tests/helpers/tmp.js';
import { report } from './report.js';

const N = Number(process.env.BENCH_MEM_N ?? 100_000);
const WARMUP = Math.min(5000, Math.floor(N / 10));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
// Under the TypeScript loader the figure would carry the loader's memory too (decision 234).
if (import.meta.url.endsWith('.ts')) throw new Error('run bundled: npx tsx tools/bench/memory.ts');

const tmp = tempDir('hcp-bench-mem-');
const clock = new FakeClock(Date.UTC(2026, 2, 2, 1, 0, 0));
process.env.HCP_QUIET = '1';
// The tests' pad (its own identity, code and an unreachable platform), without its window API.
const core = await KioskCore.start(testCoreConfig(tmp.dir), { clock, windowApi: false });
// The figure is memory, not durability: fsync is off in this bench only, so that 100,000
// evaluations fit in the run's time budget on a shared disk (every other bench keeps FULL).
core.db.pragma('synchronous = OFF');
// Something listening, as the screen would: every snapshot is built and handed over.
let events = 0;
core.subscribe(() => (events += 1));
putOnDuty(core);

const rss = () => {
  gc();
  gc();
  return process.memoryUsage();
};
let warm = rss();
// Also read half way: what fills up to a bound (SQLite's page cache, decision 234) fills in the
// first half, so the growth over the second half says whether anything still climbs after it.
let half = warm;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  if (i === WARMUP) warm = rss();
  if (i === Math.floor(N / 2)) half = rss();
  await core.startEvaluation(
    {
      cases: [
        {
          projectNo: `370900-2026-${String(i).padStart(7, '0')}`,
          taskCode: '370900-XK-0001',
          taskName: '个体工商户设立登记',
          promiseType: 1,
        },
      ],
    },
    'window_api',
  );
  clock.advance(3000);
  core.evaluations.press({
    source: 'key',
    key: 3 + (i % 3),
    board: { serial: 'MEM', bootId: 1, counter: i + 1 },
  });
  clock.advance(30_000);
  // let the event loop run (snapshot microtasks, timers) as it would between real presses
  if (i % 100 === 0) await new Promise((r) => setImmediate(r));
}
const end = rss();
const seconds = (performance.now() - t0) / 1000;
await core.stop();
tmp.cleanup();
const mb = (b: number) => b / 1024 / 1024;
console.log(
  `${N.toLocaleString('en-US')} evaluations in ${seconds.toFixed(0)} s, ${events.toLocaleString('en-US')} events; ` +
    `RSS ${mb(warm.rss).toFixed(1)} → ${mb(end.rss).toFixed(1)} MB, heap ${mb(warm.heapUsed).toFixed(1)} → ${mb(end.heapUsed).toFixed(1)} MB`,
);
report('memory', [
  {
    figure: `RSS growth over ${N.toLocaleString('en-US')} evaluations`,
    value: mb(end.rss - warm.rss),
    unit: 'MB',
    floor: 5,
    floorLabel: 'budget',
    kind: 'le',
    goal: 1,
    note: `after a warm-up of ${WARMUP}; heap growth ${mb(end.heapUsed - warm.heapUsed).toFixed(2)} MB`,
  },
  {
    figure: `RSS growth over the second ${Math.ceil(N / 2).toLocaleString('en-US')} evaluations`,
    value: mb(end.rss - half.rss),
    unit: 'MB',
    floor: 5,
    floorLabel: 'budget',
    kind: 'info',
    goal: null,
    note: `RSS ${mb(warm.rss).toFixed(1)} MB after the warm-up, ${mb(half.rss).toFixed(1)} half way, ${mb(end.rss).toFixed(1)} at the end`,
  },
]);
