import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { freemem } from 'node:os';

/**
 * One read after another into one buffer: the storage sees a sequential stream. No larger: glibc
 * serves a buffer this size from mmap, and freeing a larger one raises its thresholds for the
 * rest of the process (the heap is then trimmed only past twice that size free), which the
 * uploader's batch bodies (up to 1 MB) already set at about this size.
 */
const CHUNK_BYTES = 1024 * 1024;

export interface ReadAhead {
  /** bytes read */
  bytes: number;
  ms: number;
  /** why nothing was read: the file would not fit beside the rest in memory, or could not be read */
  skipped?: 'too_large' | 'unreadable';
}

/**
 * Reads a file front to back once, so that its pages are in the page cache before a check reads
 * them in B-tree order (decision 229). After a power cut the cache is empty, and the full check's
 * scattered reads of a cold file cost several times one sequential pass over it (the million-record
 * benchmark file, 877 MB: `integrity_check` 5.1 s cold, 1.1 s after the read-ahead). A file
 * already cached costs one copy from memory (~50–130 ms for that file here): whether it is cannot
 * be told from its read speed on a virtual disk whose host caches it.
 *
 * Only a file up to half the memory available now (`availableBytes`, default the system's) is
 * read: a larger one would push itself and everything else out of the cache before the check got
 * to it. Errors are not this function's to judge: it stops reading and says so, and the check
 * that follows meets the same error and classifies it (damage, or a fault of the machine).
 */
export function readAhead(path: string, availableBytes: number = freemem()): ReadAhead {
  const started = performance.now();
  const done = (bytes: number, skipped?: ReadAhead['skipped']): ReadAhead => ({
    bytes,
    ms: performance.now() - started,
    ...(skipped ? { skipped } : {}),
  });
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return done(0, 'unreadable');
  }
  try {
    const size = fstatSync(fd).size;
    if (size > availableBytes / 2) return done(0, 'too_large');
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) return done(position);
      position += n;
    }
  } catch {
    return done(0, 'unreadable');
  } finally {
    closeSync(fd);
  }
}
