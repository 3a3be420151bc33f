/**
 * Commit latency of a rating through the evaluation service (start + press = the two transactions
 * of one rating), beside a bare better-sqlite3 FULL-sync one-row commit measured in the same run,
 * and the bytes each stored evaluation costs.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { serviceFixture, oneCase, STAFF } from '../../tests/helpers/service.js';
import { tempDir } from '../../tests/helpers/tmp.js';
import { percentiles } from './stats.js';

const N = Number(process.env.BENCH_N ?? 2000);

function bare(): number[] {
  const tmp = tempDir();
  const db = new Database(join(tmp.dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const one = db.transaction((v: string) => ins.run(v));
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    one('x'.repeat(600));
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  db.close();
  tmp.cleanup();
  return out;
}

function pad(): { press: number[]; start: number[]; bytesPerEvaluation: number } {
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
  for (let i = 0; i < N; i++) {
    let t = process.hrtime.bigint();
    fx.svc.start({ cases: [oneCase(`BENCH-${i}`)] }, { origin: 'window_api', staff: STAFF });
    start.push(Number(process.hrtime.bigint() - t) / 1e6);
    fx.clock.advance(3000);
    t = process.hrtime.bigint();
    fx.svc.press({ source: 'key', key: 5, board: { serial: 'BENCH', bootId: 1, counter: i + 1 } });
    press.push(Number(process.hrtime.bigint() - t) / 1e6);
    fx.clock.advance(30_000);
  }
  fx.db.pragma('wal_checkpoint(TRUNCATE)');
  const bytesPerEvaluation = (fileBytes() - before) / N;
  fx.cleanup();
  return { press, start, bytesPerEvaluation };
}

const b = percentiles(bare());
const p = pad();
const ps = percentiles(p.press);
const ss = percentiles(p.start);
console.log(`commit latency over ${N} ratings (WAL, synchronous=FULL, this machine's disk):`);
console.log(`  bare better-sqlite3 one-row commit   p50 ${b.p50.toFixed(3)} ms  p99 ${b.p99.toFixed(3)} ms`);
console.log(
  `  start evaluation (window API txn)    p50 ${ss.p50.toFixed(3)} ms  p99 ${ss.p99.toFixed(3)} ms`,
);
console.log(
  `  rating commit (press → sealed+outbox) p50 ${ps.p50.toFixed(3)} ms  p99 ${ps.p99.toFixed(3)} ms`,
);
console.log(`  bytes per stored evaluation (db+wal after checkpoint): ${Math.round(p.bytesPerEvaluation)}`);
