import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanStopFile, describeCleanStop } from '../../../src/store/clean-stop.js';
import { openDatabase } from '../../../src/store/db.js';
import { openCheckedDatabase } from '../../../src/store/recovery.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Decision 229: before the full check at start the file is read once front to back, so the
 * check's scattered reads after a power cut find its pages cached. Its effect is on the page
 * cache (startup-million's power-cut row shows it), so here the call itself is what is pinned:
 * whenever the check runs at start, the read comes first; when it is deferred, no read.
 */
const calls = vi.hoisted(() => [] as string[]);
vi.mock('../../../src/store/read-ahead.js', () => ({
  readAhead: (path: string) => {
    calls.push(path);
    return { bytes: 0, ms: 0 };
  },
}));
vi.mock('../../../src/store/integrity.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/store/integrity.js')>();
  return {
    ...real,
    findIntegrityProblem: (...args: Parameters<typeof real.findIntegrityProblem>) => {
      calls.push('check');
      return real.findIntegrityProblem(...args);
    },
  };
});

describe('the read ahead of the full check at start', () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir('hcp-read-ahead-start-');
    path = join(tmp.dir, 'kiosk.db');
    openDatabase(path).close();
    calls.length = 0;
  });
  afterEach(() => tmp.cleanup());

  it('reads the file just before the check after a stop that was not clean', () => {
    const { db, integrity } = openCheckedDatabase(path, Date.now(), { deferCheck: true });
    db.close();
    expect(integrity).toBe('checked');
    expect(calls).toEqual([path, 'check']);
  });

  it('reads nothing when the check is deferred after a clean stop', () => {
    writeFileSync(cleanStopFile(path), describeCleanStop(path, Date.now()) ?? '');
    const { db, integrity } = openCheckedDatabase(path, Date.now(), { deferCheck: true });
    db.close();
    expect(integrity).toBe('deferred');
    expect(calls).toEqual([]);
  });
});
