import type { Db } from './db.js';

/**
 * WAL checkpoints when an evaluation starts, not inside a citizen's key press (decision 221).
 *
 * Why: SQLite checkpoints a WAL database from inside the commit that takes the log past
 * `wal_autocheckpoint` pages (1,000 by default), and on the pad that commit is most often a
 * citizen's key press: a press and a start write ~17 pages, so about one press in fifty also
 * copied the log into the database file and synced it — 2.0 ms at the median against 0.8 ms
 * without, on this machine (measured by marking the presses after which the log restarted).
 * One press in fifty is the p99 of the press's latency, and with it of the board's LED
 * acknowledgement and of the thanks screen.
 *
 * How: after an evaluation's start has committed — staff just finished a transaction at the
 * window and the citizen has not pressed yet — the connection checkpoints (PASSIVE: it waits
 * for nobody) once `CHECKPOINT_EVERY_ROWS` rows were changed on it since its last checkpoint
 * (`total_changes()`: a rated evaluation changes ~10 rows in ~20 pages, so every ~35 evaluations,
 * ~700 pages, before SQLite's own 1,000 — which 600 rows did not: it came at 48 evaluations,
 * before 600 rows, measured). SQLite's automatic checkpoint stays as it is, at 1,000 pages:
 * what has no start to follow (a backlog's upload, a fold of months, a chain of many items)
 * still checkpoints as before, and the log's size on disk is bounded as before. The same
 * checkpoint, with the same syncs: what is durable and when does not change. A hot page is copied
 * to the database a little more often than before (every ~35 evaluations instead of ~48): about
 * one page more an evaluation than the ~20 its log frames are.
 */

/** Rows changed on the connection between two checkpoints at a start. */
export const CHECKPOINT_EVERY_ROWS = 350;

/** Per connection: `total_changes()` at its last checkpoint here. */
const lastCheckpointAt = new WeakMap<Db, number>();

export interface CheckpointDone {
  /** frames in the log, and how many of them are now in the database file */
  log: number;
  checkpointed: number;
  busy: boolean;
}

/**
 * Checkpoints `db` when enough changed since the last time (null: not due). Outside a
 * transaction only. Throws what SQLite throws (a full disk, an I/O error): the caller decides.
 */
export function checkpointWhenDue(db: Db, everyRows = CHECKPOINT_EVERY_ROWS): CheckpointDone | null {
  if (db.inTransaction) return null;
  const { n: changed } = db.prepare('SELECT total_changes() AS n').get() as { n: number };
  const last = lastCheckpointAt.get(db);
  if (last === undefined) {
    // The first look on a connection: count from here (a start's own rows are few).
    lastCheckpointAt.set(db, changed);
    return null;
  }
  if (changed - last < everyRows) return null;
  lastCheckpointAt.set(db, changed);
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
    busy: number;
    log: number;
    checkpointed: number;
  }>;
  return { log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0, busy: (row?.busy ?? 0) !== 0 };
}
