import { readFileSync, realpathSync } from 'node:fs';

/**
 * Whether the filesystem holding `dir` is read-only according to the kernel's mount table.
 *
 * `access(W_OK)` only sees the VFS read-only flag. When ext4 meets an I/O error on a mount with
 * `errors=remount-ro`, recent kernels keep the VFS flag `rw` and mark the filesystem
 * `emergency_ro` instead: every write then fails with EROFS while `access` still says writable.
 * The mount table shows both kinds, so the storage probe reads it (a small in-memory file).
 */
export function mountReadOnly(dir: string, mountinfo = '/proc/self/mountinfo'): boolean | null {
  let table: string;
  let real: string;
  try {
    table = readFileSync(mountinfo, 'utf8');
    real = realpathSync(dir);
  } catch {
    return null; // no /proc, or the directory is gone: rely on write errors
  }
  let best: { point: string; readOnly: boolean } | null = null;
  for (const line of table.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const point = unescapeMountPath(fields[4] ?? '');
    const mountOptions = (fields[5] ?? '').split(',');
    const superOptions = (right.split(' ')[2] ?? '').split(',');
    if (!within(real, point)) continue;
    // Later lines are mounted over earlier ones at the same point: the last one wins.
    if (best && point.length < best.point.length) continue;
    const readOnly =
      mountOptions.includes('ro') || superOptions.includes('ro') || superOptions.includes('emergency_ro');
    best = { point, readOnly };
  }
  return best ? best.readOnly : null;
}

function within(path: string, point: string): boolean {
  if (point === '/') return true;
  return path === point || path.startsWith(point + '/');
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
