/**
 * How long one step of folding (decision 220) holds the event loop: on a pad in service (a day's
 * evaluations, the last 4 h kept) and on a pad just updated with a backlog of BENCH_FOLD_BACKLOG
 * evaluations kept whole (200,000 by default), each with its case and its key press. A step runs
 * on the loop that handles key presses, so its time is what a press can wait behind it.
 *   npx tsx tools/bench/fold-step.ts
 */
import { join } from 'node:path';
import { foldStep } from '../../src/host/upkeep.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { tempDir } from '../../tests/helpers/tmp.js';
import { report } from './report.js';
import { percentiles } from './stats.js';

const BACKLOG = Number(process.env.BENCH_FOLD_BACKLOG ?? 200_000);
const STEPS = 40;
const T0 = Date.UTC(2026, 0, 1);

/** `n` closed evaluations one minute apart, each with its case and its press (no records: the fold needs none). */
function filled(n: number): { db: Db; end: number; cleanup: () => void } {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'kiosk.db'));
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, staff_id, staff_name, window_no, origin, started_ms, prompt_ms, closed_ms, close_reason, norm_version)
     VALUES (?, 'rated', 'T0107', '李明', '12', 'window_api', ?, ?, ?, 'rated', 'national-2020-05')`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type,
       chosen_satisfaction, chosen_source, chosen_ms, outcome)
     VALUES (?, 0, 0, ?, 1, '370900-XK-0001', '个体工商户设立登记', 1, ?, 'key', ?, 'rated')`,
  );
  const insPress = db.prepare(
    `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
     VALUES (?, 'key', ?, 'SIM00012', 1, ?, 'rating', ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const t = T0 + i * 60_000;
      const id = `E${String(i).padStart(9, '0')}`;
      const star = 1 + (i % 5);
      insEval.run(id, t, t, t + 5000);
      insCase.run(id, `370900-2026-${i}`, star, t + 3000);
      insPress.run(t + 3000, star, i + 1, id);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  return {
    db,
    end: T0 + n * 60_000,
    cleanup: () => {
      db.close();
      tmp.cleanup();
    },
  };
}

/** Times STEPS steps at `nowMs`, advancing it by `advanceMs` between steps. */
function steps(db: Db, nowMs: number, advanceMs: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < STEPS; k++) {
    const t = process.hrtime.bigint();
    foldStep(db, nowMs + k * advanceMs, 0, () => undefined);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

// In service: a step every 10 minutes folds the ten evaluations closed 4 h before.
const day = filled(600);
const inService = percentiles(steps(day.db, day.end - 600 * 60_000 + 4 * 3600_000 + 5000, 10 * 60_000));
day.cleanup();
// Just updated: every evaluation is due; each step takes the next 50.
const backlog = filled(BACKLOG);
const updated = percentiles(steps(backlog.db, backlog.end + 5 * 3600_000, 0));
backlog.cleanup();

const ms = (x: number) => `${x.toFixed(2)} ms`;
console.log(`fold step (50 evaluations at most, one transaction):`);
console.log(`  in service (ten due per step)        p50 ${ms(inService.p50)}  p99 ${ms(inService.p99)}`);
console.log(
  `  updated, ${BACKLOG.toLocaleString('en-US')} evaluations kept   p50 ${ms(updated.p50)}  p99 ${ms(updated.p99)}`,
);
report('fold-step', [
  {
    figure: 'fold step p99, in service',
    value: inService.p99,
    unit: 'ms',
    floor: null,
    floorLabel: '',
    kind: 'info',
    goal: null,
    note: 'what a key press can wait behind the upkeep every 10 min',
  },
  {
    figure: `fold step p99, backlog ${BACKLOG.toLocaleString('en-US')}`,
    value: updated.p99,
    unit: 'ms',
    floor: null,
    floorLabel: '',
    kind: 'info',
    goal: null,
    note: 'a pad updated with its evaluations kept: a step every 200 ms until done',
  },
]);
