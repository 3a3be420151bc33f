/**
 * One line per figure, in the same shape for every benchmark: the figure, the floor it is measured
 * against in the same run (or the fixed goal when the floor is a frame or a budget), the ratio and
 * the goal. `npm run bench` (index.ts) collects them through BENCH_REPORT into one summary table.
 */
import { appendFileSync } from 'node:fs';

export interface Figure {
  /** short name, stable between runs (the summary JSON is keyed by it) */
  figure: string;
  value: number;
  unit: string;
  /** what the figure is compared with, measured in the same run when it is a physical floor */
  floor: number | null;
  floorLabel: string;
  /**
   * `le`: value / floor ≤ goal (a cost, e.g. latency);
   * `ge`: value / floor ≥ goal (a rate or a ratio where more is better);
   * `info`: reported without a goal.
   */
  kind: 'le' | 'ge' | 'info';
  /** goal for the ratio (value / floor) */
  goal: number | null;
  note?: string;
}

export interface ReportedFigure extends Figure {
  bench: string;
  ratio: number | null;
  meetsGoal: boolean | null;
}

export function judge(f: Figure): { ratio: number | null; meetsGoal: boolean | null } {
  const ratio = f.floor !== null && f.floor !== 0 ? f.value / f.floor : null;
  if (ratio === null || f.goal === null || f.kind === 'info') return { ratio, meetsGoal: null };
  return { ratio, meetsGoal: f.kind === 'le' ? ratio <= f.goal : ratio >= f.goal };
}

const num = (x: number): string =>
  Math.abs(x) >= 1000
    ? Math.round(x).toLocaleString('en-US')
    : Math.abs(x) >= 10
      ? x.toFixed(1)
      : x.toFixed(3);

export function formatFigure(
  f: ReportedFigure | (Figure & { ratio: number | null; meetsGoal: boolean | null }),
): string {
  const floor = f.floor === null ? f.floorLabel : `${num(f.floor)} ${f.unit} (${f.floorLabel})`;
  const ratio = f.ratio === null ? '—' : f.ratio.toFixed(2);
  const goal = f.goal === null ? '' : ` goal ${f.kind === 'le' ? '≤' : '≥'} ${f.goal}`;
  const verdict = f.meetsGoal === null ? '' : f.meetsGoal ? '  ok' : '  MISSED';
  return `${f.figure}: ${num(f.value)} ${f.unit}  floor ${floor}  ratio ${ratio}${goal}${verdict}`;
}

/** Prints each figure and hands it to the summary when run under `npm run bench`. */
export function report(bench: string, figures: Figure[]): void {
  for (const f of figures) {
    const r: ReportedFigure = { ...f, bench, ...judge(f) };
    console.log(`  ${formatFigure(r)}${f.note ? `  [${f.note}]` : ''}`);
    const out = process.env.BENCH_REPORT;
    if (out) appendFileSync(out, JSON.stringify(r) + '\n');
  }
}
