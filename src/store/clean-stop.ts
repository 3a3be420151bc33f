import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The clean-stop marker (decision 178). A torn write can only happen while the pad writes, so a
 * database the pad closed cleanly — WAL checkpointed and gone — and that nobody touched since
 * (same size, same modification time, no WAL, no failed background check) need not be checked
 * before the window API answers; the full check then runs beside the running pad
 * (host/integrity-watch.ts). Anything else takes the full check at start, as before.
 */

/** `<db>.clean`: written (atomically, fsynced) after a clean stop closed the database. */
export const cleanStopFile = (dbPath: string): string => `${dbPath}.clean`;
/** `<db>.check-failed`: the background check found a problem or could not run; the next start checks. */
export const checkFailedFile = (dbPath: string): string => `${dbPath}.check-failed`;

const markerSchema = z.object({
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  stoppedAt: z.string(),
});

/** Databases a check is owed for in this process (markCheckFailed), marker on disk or not. */
const checkOwed = new Set<string>();

/**
 * The marker's text for the database as it lies now, or null when it is not a clean file: no
 * file, a WAL left behind (another connection still had the database open), or a check owed
 * since a check failed or could not run in this process.
 */
export function describeCleanStop(dbPath: string, nowMs: number): string | null {
  if (checkOwed.has(dbPath) || !existsSync(dbPath) || walSize(dbPath) > 0) return null;
  const st = statSync(dbPath);
  return (
    JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, stoppedAt: new Date(nowMs).toISOString() }) + '\n'
  );
}

/**
 * Reads and removes the clean-stop marker — durably (the directory fsynced), before the database
 * is opened for writes, so a cut after the open can never leave a marker that vouches for a file
 * the pad was writing. Returns why the full check must run now, or null when it may run later.
 * A marker is used once whatever it says.
 */
export function takeCleanStop(dbPath: string): string | null {
  const file = cleanStopFile(dbPath);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    /* no marker (or unreadable): the pad did not stop cleanly */
  }
  if (text !== null) removeDurably(file);
  if (text === null) return 'no clean stop recorded';
  if (existsSync(checkFailedFile(dbPath))) return 'the last background check failed';
  if (walSize(dbPath) > 0) return 'a WAL was left';
  let marker: z.infer<typeof markerSchema>;
  try {
    marker = markerSchema.parse(JSON.parse(text));
  } catch {
    return 'the clean-stop marker is unreadable';
  }
  if (!existsSync(dbPath)) return 'the database file is missing';
  const st = statSync(dbPath);
  if (st.size !== marker.size) return 'the file changed size since the clean stop';
  // Within a millisecond: a time set back through a Date (utimes) keeps only milliseconds.
  if (Math.abs(st.mtimeMs - marker.mtimeMs) >= 1) return 'the file was modified since the clean stop';
  return null;
}

/**
 * A check found a problem or could not run (the background check; the start's check a machine
 * fault stopped, decision 214): until a check has run, no start may skip it — not even after a
 * clean stop of this run.
 */
export function markCheckFailed(dbPath: string, outcome: string, why: string | undefined): void {
  // Owed before the marker is written: a marker a full disk refused (the start goes on then,
  // recovery.ts) must still keep this run's clean stop from vouching for the file.
  checkOwed.add(dbPath);
  const fd = openSync(checkFailedFile(dbPath), 'w');
  try {
    writeSync(fd, JSON.stringify({ outcome, why }) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** After the full check (sound or repaired): the failure it answered is dealt with. */
export function clearCheckFailed(dbPath: string): void {
  checkOwed.delete(dbPath);
  const file = checkFailedFile(dbPath);
  if (existsSync(file)) removeDurably(file);
}

function walSize(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

function removeDurably(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fd = openSync(dirname(file), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
