/**
 * The physical floor of a rating commit: one row committed in its own transaction by
 * better-sqlite3 on this machine's disk, WAL, synchronous=FULL — what any durable write costs.
 *
 * Measured on a log in its steady state, as a pad's is: SQLite checkpoints at 1,000 frames and
 * then writes the log again from its start, over blocks the file already has. The first 1,000
 * frames of a new file each extend it instead, and the fsync then also commits the file system's
 * record of the new size and blocks: 0.22–0.33 ms per one-row commit here against 0.14 once the
 * log has wrapped (decision 230). `bareCommitsIntoNewLog` keeps that first measure, the floor the
 * report used until its fifteenth pass (docs/perf.md).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../../src/domain/canonical.js';
import { hashBlob, packBody } from '../../src/store/record-codec.js';
import { tempDir } from '../../tests/helpers/tmp.js';
import { makeUnsealed } from '../../tests/unit/sync/fixtures.js';
import { elapsedMs } from './stats.js';

/** Past SQLite's automatic checkpoint (1,000 frames), with room: the log has wrapped. */
export const STEADY_AFTER_FRAMES = 1_100;

/**
 * `n` timed calls of `commit` (one transaction each, made by `prepare` on a new WAL, FULL-sync
 * file), after `warmCommits` untimed ones.
 */
function timedOnNewFile(
  n: number,
  warmCommits: number,
  prepare: (db: Database.Database) => () => void,
): number[] {
  const tmp = tempDir('hcp-bench-bare-');
  const db = new Database(join(tmp.dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const commit = prepare(db);
    for (let i = 0; i < warmCommits; i++) commit();
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      commit();
      out.push(elapsedMs(t));
    }
    return out;
  } finally {
    db.close();
    tmp.cleanup();
  }
}

/**
 * `n` timed commits of one transaction each that appends one row to each of `tables` tables (each
 * dirties one leaf page: `tables` log frames), after `warmFrames` frames written untimed.
 */
function timedCommits(n: number, tables: number, rowBytes: number, warmFrames: number): number[] {
  return timedOnNewFile(n, Math.ceil(warmFrames / tables), (db) => {
    const inserts = Array.from({ length: tables }, (_, k) => {
      db.exec(`CREATE TABLE t${k} (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`);
      return db.prepare(`INSERT INTO t${k} (v) VALUES (?)`);
    });
    const row = 'x'.repeat(rowBytes);
    return db.transaction(() => {
      for (const ins of inserts) ins.run(row);
    });
  });
}

/** The floor: a one-row commit (600 bytes, a rating's size) on a log in its steady state. */
export function bareCommits(n: number, rowBytes = 600): number[] {
  return timedCommits(n, 1, rowBytes, STEADY_AFTER_FRAMES);
}

/**
 * The same floor for a commit that writes `pages` pages, with none of a rating's work: beside
 * `bareCommits`, it splits a rating's distance from the one-row floor into the pages it writes
 * and what it does besides.
 */
export function bareCommitsOfPages(n: number, pages: number, rowBytes = 100): number[] {
  return timedCommits(n, pages, rowBytes, STEADY_AFTER_FRAMES);
}

/** The one-row commit on a new file, whose log grows at every commit (the floor until the fifteenth pass). */
export function bareCommitsIntoNewLog(n: number, rowBytes = 600): number[] {
  return timedCommits(n, 1, rowBytes, 0);
}

/**
 * The least a sealing press could be (decision 231): a rating's record made, hashed into the chain
 * and packed as appendRecords does it, and committed as the only row of its transaction, in a
 * table without secondary indexes, on a wrapped log. Nothing a press checks first (the board's
 * event seen before, the open evaluation, the risk rules) and nothing else it writes (the
 * evaluation, the press, the outbox, the chain head): a store whose press is one journal row and
 * whose checks come from memory. Timed from before the record is made to after the commit.
 */
export function sealedRecordCommits(n: number): number[] {
  return timedOnNewFile(n, STEADY_AFTER_FRAMES, (db) => {
    // The row's values as RowValues orders them, then the packed body and the hash.
    db.exec(
      `CREATE TABLE journal (device_seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, record_id TEXT NOT NULL,
         satisfaction INTEGER, staff_id TEXT NOT NULL, status TEXT NOT NULL, body BLOB NOT NULL, hash BLOB NOT NULL) STRICT`,
    );
    const insert = db.prepare('INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    let seq = 0;
    let prevHash = GENESIS_HASH;
    let now = Date.UTC(2026, 11, 5, 2, 0, 0);
    return db.transaction(() => {
      seq += 1;
      now += 33_000;
      // The record of a 5-star key press, as the uploader's tests make it.
      const unsealed = makeUnsealed(seq, {}, now);
      const text = canonicalJson({ ...unsealed, deviceSeq: seq, prevHash });
      const hash = sha256Hex(text);
      const row = [
        seq,
        now,
        unsealed.evaluationId,
        unsealed.satisfaction ?? null,
        unsealed.staffId,
        unsealed.status,
      ] as const;
      insert.run(...row, packBody(text, row), hashBlob(hash));
      prevHash = hash;
    });
  });
}
