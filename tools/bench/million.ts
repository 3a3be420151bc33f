/**
 * A pad's database with a long life behind it (BENCH_MILLION records, 1,000,000 by default): every
 * record sealed by the store's own appendRecords into one hash chain, with its evaluation, case
 * and raw key press rows, all delivered, spread over the last 360 days (inside the default
 * retention, so a start prunes nothing), then folded into their records as the pad's upkeep
 * does once they are 4 h old (decision 220). Built in large transactions and cached in the temp dir,
 * keyed by the schema and sealing code, so later runs copy it instead of building it again.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCst } from '../../src/domain/time.js';
import type { UnsealedRecord } from '../../src/domain/record.js';
import { openDatabase } from '../../src/store/db.js';
import { foldClosedEvaluations } from '../../src/store/fold.js';
import { appendRecords } from '../../src/store/records.js';

export const MILLION = Number(process.env.BENCH_MILLION ?? 1_000_000);
const CHUNK = 50_000;
const DAY = 86_400_000;

function cacheKey(n: number): string {
  const h = createHash('sha256').update(String(n));
  for (const f of [
    '../../src/store/migrations.ts',
    '../../src/store/records.ts',
    '../../src/store/record-codec.ts',
    '../../src/store/row-values.ts',
    '../../src/store/case-rows-without-sealed-text.ts',
    '../../src/store/pack-records.ts',
    '../../src/store/lean-working-rows.ts',
    '../../src/store/fold.ts',
    '../../src/store/folded-history.ts',
    '../../src/store/case-memory.ts',
    'million.ts',
  ])
    h.update(readFileSync(join(import.meta.dirname, f)));
  return h.digest('hex').slice(0, 16);
}

function unsealed(i: number, nowMs: number): UnsealedRecord {
  const sat = 1 + ((i * 7) % 5);
  const rec: UnsealedRecord = {
    evaluationId: `E${nowMs.toString(36).toUpperCase()}${i.toString(16).toUpperCase().padStart(12, '0')}`,
    projectNo: `370900-2026-${String(i).padStart(7, '0')}`,
    serviceNumber: 1,
    taskCode: '370900-XK-0001',
    taskName: '个体工商户设立登记',
    promiseType: 1,
    hallCode: 'H370900001',
    windowNo: '12',
    areaCode: '370900',
    staffId: i % 2 === 0 ? 'T0107' : 'T0108',
    staffName: i % 2 === 0 ? '李明' : '王晓燕',
    pf: '4',
    status: i % 20 === 19 ? 'unrated' : 'rated',
    startedTime: formatCst(nowMs - 40_000),
    deviceTimeMs: nowMs,
    clockOffsetMs: 0,
  };
  if (rec.status === 'rated') {
    rec.satisfaction = sat;
    rec.inputSource = 'key';
    rec.assessTime = formatCst(nowMs - 2000);
    if (sat <= 2) {
      rec.evalDetail = '115';
      rec.normVersion = 'national-2020-05';
    }
  }
  return rec;
}

function build(path: string, n: number): void {
  const db = openDatabase(path);
  const end = Date.now() - DAY;
  const step = Math.floor((360 * DAY) / n);
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, staff_id, staff_name, window_no, origin, started_ms, prompt_ms, closed_ms, close_reason, norm_version)
     VALUES (?, ?, ?, ?, '12', 'window_api', ?, ?, ?, ?, 'national-2020-05')`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type,
       chosen_satisfaction, chosen_source, chosen_ms, outcome)
     VALUES (?, 0, 0, ?, 1, '370900-XK-0001', '个体工商户设立登记', 1, ?, ?, ?, ?)`,
  );
  const insPress = db.prepare(
    `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
     VALUES (?, 'key', ?, 'SIM00012', 1, ?, 'rating', ?)`,
  );
  for (let from = 0; from < n; from += CHUNK) {
    db.transaction(() => {
      const to = Math.min(n, from + CHUNK);
      // Each sealed at its own time, as the pad does (a record sealed at another time than its
      // deviceTimeMs is packed whole: row-values.ts).
      for (let i = from; i < to; i++) {
        const t = end - (n - i) * step;
        const rec = unsealed(i, t);
        appendRecords(db, [rec], t);
        const rated = rec.status === 'rated';
        insEval.run(
          rec.evaluationId,
          rec.status,
          rec.staffId,
          rec.staffName,
          t - 40_000,
          t - 40_000,
          t,
          rated ? 'rated' : 'timeout',
        );
        insCase.run(
          rec.evaluationId,
          rec.projectNo,
          rec.satisfaction ?? null,
          rated ? 'key' : null,
          rated ? t - 2000 : null,
          rec.status,
        );
        if (rated) insPress.run(t - 2000, rec.satisfaction ?? 5, i + 1, rec.evaluationId);
      }
    })();
  }
  // a year of service has folded all of it (the last record is a day old)
  while (foldClosedEvaluations(db, { nowMs: Date.now(), limit: CHUNK }).evaluations > 0);
  // every record delivered: no outbox rows left, the marks the acknowledgements leave (outbox.ts)
  db.prepare(`DELETE FROM outbox WHERE kind = 'record'`).run();
  const top = db.prepare(`SELECT MAX(device_seq) AS s, MAX(created_ms) AS t FROM records`).get() as {
    s: number;
    t: number;
  };
  db.prepare(
    `INSERT OR REPLACE INTO meta (key, value) VALUES ('acked_through_seq', ?), ('last_ack_ms', ?)`,
  ).run(String(top.s), String(top.t + 5000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The cached million-record database (built on first use). Treat it as read-only: copy it to change it. */
export function millionDb(n = MILLION): string {
  const dir = join(tmpdir(), 'hcp-bench-cache');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pad-${n}-${cacheKey(n)}.db`);
  if (existsSync(file)) return file;
  const building = `${file}.building-${process.pid}`;
  const t0 = performance.now();
  console.log(`  building the ${n.toLocaleString('en-US')}-record database (cached afterwards in ${dir}) …`);
  try {
    build(building, n);
    rmSync(`${building}-wal`, { force: true });
    rmSync(`${building}-shm`, { force: true });
    renameSync(building, file);
  } finally {
    for (const f of [building, `${building}-wal`, `${building}-shm`]) rmSync(f, { force: true });
  }
  console.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

/** A private copy of the cached database in `dir` as kiosk.db. */
export function copyMillionDb(dir: string, n = MILLION): string {
  const to = join(dir, 'kiosk.db');
  copyFileSync(millionDb(n), to);
  return to;
}
