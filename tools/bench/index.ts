/**
 * `npm run bench`: every benchmark, one after another (never in parallel: they share 2 cores and
 * one disk), then one summary table of every figure against its floor, also written as JSON
 * (test-results/bench-summary.json, or BENCH_SUMMARY) so that two runs can be compared:
 *   npx tsx tools/bench/compare.ts before.json after.json
 * Each bench is also runnable alone with `npx tsx tools/bench/<name>.ts`; `npm run bench -- <name> …`
 * runs only those.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ReportedFigure } from './report.js';

const here = import.meta.dirname;
const root = join(here, '../..');
const only = process.argv.slice(2);
/** In run order; those marked `build` run the bundled program and need `npm run build` first. */
const BENCHES: Array<{ name: string; build?: boolean }> = [
  { name: 'commit-latency' },
  { name: 'fold-step' },
  { name: 'board-latency' },
  { name: 'thanks-paint', build: true },
  { name: 'startup-million', build: true },
  { name: 'verify-million' },
  { name: 'memory' },
  { name: 'keypress-upload' },
  { name: 'sync-drain' },
  { name: 'durability' },
  { name: 'receipt-size' },
];

const selected = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
const tmp = mkdtempSync(join(tmpdir(), 'hcp-bench-report-'));
const reportFile = join(tmp, 'figures.jsonl');
const load = () => loadavg().map((x) => Number(x.toFixed(2)));
const startedAt = new Date();
const loadBefore = load();
const runs: Array<{ name: string; ok: boolean; seconds: number }> = [];
const t00 = Date.now();

if (selected.some((b) => b.build)) {
  console.log('\n=== build (the bundled program the start-up and Chromium benches run)');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log('=== build FAILED');
    process.exit(1);
  }
}

for (const b of selected) {
  const file = join(here, `${b.name}.ts`);
  if (!existsSync(file)) {
    console.log(`\n=== ${b.name}: missing (${file})`);
    runs.push({ name: b.name, ok: false, seconds: 0 });
    continue;
  }
  console.log(`\n=== ${b.name}  (load average ${load().join(' ')})`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, HCP_QUIET: '1', BENCH_REPORT: reportFile },
  });
  const seconds = (Date.now() - t0) / 1000;
  runs.push({ name: b.name, ok: r.status === 0, seconds });
  // A bench that fails says how: its exit code, the signal that ended it, or why it did not start.
  const how =
    r.status === 0
      ? 'ok'
      : `FAILED (${r.error ? r.error.message : r.signal !== null ? `signal ${r.signal}` : `exit code ${r.status}`})`;
  console.log(`=== ${b.name}: ${how} in ${seconds.toFixed(1)} s`);
}

const figures: ReportedFigure[] = existsSync(reportFile)
  ? readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ReportedFigure)
  : [];
rmSync(tmp, { recursive: true, force: true });

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' });
  if (dirty.trim() !== '') commit += '+changes';
} catch {
  /* not a git checkout */
}
const summary = {
  startedAt: startedAt.toISOString(),
  commit,
  node: process.version,
  cpus: cpus().length,
  loadAverageBefore: loadBefore,
  loadAverageAfter: load(),
  totalSeconds: Math.round((Date.now() - t00) / 1000),
  runs,
  figures,
};
const out = process.env.BENCH_SUMMARY ?? join(root, 'test-results', 'bench-summary.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');

const cell = (x: number | null, digits = 2) =>
  x === null ? '—' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
const rows = figures.map((f) => [
  f.figure,
  `${cell(f.value)} ${f.unit}`,
  f.floor === null ? f.floorLabel : `${cell(f.floor)} (${f.floorLabel})`,
  cell(f.ratio),
  f.goal === null ? '—' : `${f.kind === 'le' ? '≤' : '≥'} ${f.goal}`,
  f.meetsGoal === null ? '' : f.meetsGoal ? 'ok' : 'MISSED',
]);
const head = ['figure', 'value', 'floor', 'ratio', 'goal', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
console.log(
  `\n=== summary  (commit ${commit}, ${summary.totalSeconds} s, load average ${loadBefore.join(' ')} → ${summary.loadAverageAfter.join(' ')})`,
);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of rows) console.log(line(r));
for (const r of runs.filter((x) => !x.ok)) console.log(`FAILED: ${r.name}`);
console.log(`written to ${out}`);
process.exit(runs.every((r) => r.ok) ? 0 : 1);
