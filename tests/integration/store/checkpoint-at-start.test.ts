import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointWhenDue, CHECKPOINT_EVERY_ROWS } from '../../../src/store/checkpoint.js';
import { oneCase, records, serviceFixture, STAFF } from '../../helpers/service.js';

/**
 * WAL checkpoints when an evaluation starts, not inside a citizen's key press (decision 221):
 * over hundreds of ratings no press's commit copies the log into the database, the starts do, the
 * log stays within SQLite's own bound, and every rating is there.
 */

let fx: ReturnType<typeof serviceFixture> | null = null;
afterEach(() => {
  fx?.cleanup();
  fx = null;
});

/** The WAL header's checkpoint sequence: it moves when a writer starts the log afresh after a checkpoint. */
function walGeneration(dir: string): number {
  const fd = openSync(join(dir, 'kiosk.db-wal'), 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

describe('WAL checkpoints at the start of an evaluation', () => {
  it('no key press checkpoints; starts do, about every 35 evaluations, and every rating is kept', () => {
    fx = serviceFixture();
    const f = fx;
    let pressCheckpoints = 0;
    let startCheckpoints = 0;
    const n = 400;
    for (let i = 0; i < n; i++) {
      let before = walGeneration(f.dir);
      f.svc.start(
        { cases: [oneCase(`370900-2026-${String(i).padStart(6, '0')}`)] },
        { origin: 'window_api', staff: STAFF },
      );
      // a checkpoint in the start shows when the next write starts the log afresh: the press
      f.clock.advance(3000);
      f.svc.press({ source: 'key', key: 3 + (i % 3), board: { serial: 'B', bootId: 1, counter: i + 1 } });
      if (walGeneration(f.dir) !== before) startCheckpoints++;
      before = walGeneration(f.dir);
      f.clock.advance(30_000);
      // a checkpoint in the press's commit would show at the next write: the next start (or a probe)
      f.db
        .prepare(
          `INSERT INTO meta (key, value) VALUES ('probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        )
        .run(String(i));
      if (walGeneration(f.dir) !== before) pressCheckpoints++;
    }
    expect(pressCheckpoints).toBe(0);
    // ~11 rows an evaluation here (start, press, probe): one checkpoint per ~32
    expect(startCheckpoints).toBeGreaterThanOrEqual(Math.floor((n * 10) / CHECKPOINT_EVERY_ROWS) - 1);
    expect(startCheckpoints).toBeLessThanOrEqual(Math.ceil((n * 14) / CHECKPOINT_EVERY_ROWS) + 1);
    expect(records(f.db)).toHaveLength(n);
    expect(f.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // SQLite's own bound on the log is untouched
    expect(f.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('counts from its first look on a connection, and not inside a transaction', () => {
    fx = serviceFixture();
    const f = fx;
    expect(checkpointWhenDue(f.db, 5)).toBeNull(); // the first look
    for (let i = 0; i < 6; i++) f.db.prepare(`INSERT INTO meta (key, value) VALUES (?, 'x')`).run(`k${i}`);
    expect(f.db.transaction(() => checkpointWhenDue(f.db, 5))()).toBeNull();
    const done = checkpointWhenDue(f.db, 5);
    expect(done).not.toBeNull();
    expect(done?.checkpointed).toBe(done?.log);
    expect(checkpointWhenDue(f.db, 5)).toBeNull(); // nothing changed since
  });
});
