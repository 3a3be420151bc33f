/**
 * The physical floor of a rating commit: one row committed in its own transaction by
 * better-sqlite3 on this machine's disk, WAL, synchronous=FULL — what any durable write costs.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { tempDir } from '../../tests/helpers/tmp.js';
import { elapsedMs } from './stats.js';

export function bareCommits(n: number, rowBytes = 600): number[] {
  const tmp = tempDir('hcp-bench-bare-');
  const db = new Database(join(tmp.dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    const one = db.transaction((v: string) => ins.run(v));
    const row = 'x'.repeat(rowBytes);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      one(row);
      out.push(elapsedMs(t));
    }
    return out;
  } finally {
    db.close();
    tmp.cleanup();
  }
}
