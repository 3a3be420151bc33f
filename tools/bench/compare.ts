/**
 * Two `npm run bench` summaries side by side: each figure's value and its ratio to the floor of
 * its own run (the machine's load differs between runs; the ratios are what compare).
 *   npx tsx tools/bench/compare.ts before.json after.json
 */
import { readFileSync } from 'node:fs';
import type { ReportedFigure } from './report.js';

interface Summary {
  commit: string;
  startedAt: string;
  loadAverageBefore: number[];
  figures: ReportedFigure[];
}
const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Summary);
if (!a || !b) {
  console.error('usage: compare.ts before.json after.json');
  process.exit(2);
}
const cell = (x: number | null | undefined) =>
  x === null || x === undefined
    ? '—'
    : Math.abs(x) >= 1000
      ? Math.round(x).toLocaleString('en-US')
      : x.toFixed(2);
const key = (f: ReportedFigure) => `${f.bench}/${f.figure}`;
const before = new Map(a.figures.map((f) => [key(f), f]));
const head = ['figure', 'goal', `before (${a.commit})`, 'ratio', `after (${b.commit})`, 'ratio', ''];
const rows = b.figures.map((f) => {
  const o = before.get(key(f));
  return [
    f.figure,
    f.goal === null ? '—' : `${f.kind === 'le' ? '≤' : '≥'} ${f.goal}`,
    o ? `${cell(o.value)} ${o.unit}` : '—',
    cell(o?.ratio),
    `${cell(f.value)} ${f.unit}`,
    cell(f.ratio),
    f.meetsGoal === null ? '' : f.meetsGoal ? 'ok' : 'MISSED',
  ];
});
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
console.log(`load average: before ${a.loadAverageBefore.join(' ')}, after ${b.loadAverageBefore.join(' ')}`);
console.log('| ' + head.map((h, i) => h.padEnd(widths[i] ?? 0)).join(' | ') + ' |');
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log('| ' + r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |');
