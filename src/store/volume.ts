import { accessSync, constants, statfsSync } from 'node:fs';
import { mountReadOnly } from './mount-state.js';

/**
 * The state of the file system holding the data directory, as the start's diagnoses, the storage
 * probe and a migration's space check read it.
 */

/**
 * Whether `dir` is on a read-only file system. Linux makes the data partition read-only after
 * disk errors (ext4 `errors=remount-ro`), and SQLite then says only that it cannot open the file,
 * which reads like a permissions problem. access(2) answers EROFS on a read-only mount, even to
 * root; ext4's `emergency_ro` (recent kernels) leaves access(2) saying writable while every write
 * fails, and only the kernel's mount table shows it (mount-state.ts).
 */
export function onReadOnlyFileSystem(dir: string, mountinfo?: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EROFS') return true;
  }
  return mountReadOnly(dir, mountinfo) === true;
}

/** What a technician does about a read-only data partition, in the sentences that name one. */
export const CHECK_THE_STORAGE =
  'see the kernel log (journalctl -k), check the file system (fsck) or replace the storage';

/** Free bytes for an unprivileged writer on `dir`'s file system, or null if unknown. */
export function freeBytesOn(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
