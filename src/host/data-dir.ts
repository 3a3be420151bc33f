import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The data directory holds the database (staff PIN hashes, sealed records), logs, tokens, the
 * TLS key and receipts: nobody but the pad's own user may read it. Created 0700, files 0600;
 * an existing looser tree is tightened at start, and the process's umask makes every file it
 * creates later (SQLite's WAL and SHM, rotated logs, photos) private too.
 */
export function securePrivateDir(dir: string): { tightened: string[] } {
  setPrivateUmask();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tightened: string[] = [];
  tighten(dir, tightened, 0);
  return { tightened };
}

/** New files and directories of this process are private (0600 / 0700). */
export function setPrivateUmask(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; their files are tightened at the next start.
  }
}

function tighten(path: string, tightened: string[], depth: number): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) return; // never follow a link out of the data dir
  const want = st.isDirectory() ? 0o700 : 0o600;
  if ((st.mode & 0o077) !== 0) {
    try {
      chmodSync(path, want);
      tightened.push(path);
    } catch {
      // Not ours to change (another owner): reported by the caller's check, not fatal.
    }
  }
  if (st.isDirectory() && depth < 4) {
    for (const name of readdirSync(path)) tighten(join(path, name), tightened, depth + 1);
  }
}

/** Writes a secret (token, key) so that it is never readable by others, not even for a moment. */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
