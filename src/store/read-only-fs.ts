import { accessSync, constants } from 'node:fs';

/**
 * Whether `dir` is on a read-only mount. Linux remounts the data partition read-only after disk
 * errors (ext4 `errors=remount-ro`), and SQLite then says only that it cannot open the file, which
 * reads like a permissions problem; access(2) answers EROFS there, even to root.
 */
export function onReadOnlyFileSystem(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS';
  }
}
