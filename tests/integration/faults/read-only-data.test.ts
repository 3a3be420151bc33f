import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/config.js';
import { explainStartError } from '../../../src/host/start-errors.js';
import { cleanStopFile, describeCleanStop } from '../../../src/store/clean-stop.js';
import { getMeta, openDatabase, setMeta } from '../../../src/store/db.js';
import { IntegrityCheckBlockedError, openCheckedDatabase } from '../../../src/store/recovery.js';

/**
 * The data partition read-only at start — what Linux does to an ext4 partition after disk errors
 * (errors=remount-ro): the pad cannot run, and the technician must read that, not advice about
 * permissions or settings. Nothing on the partition may change. On a real tmpfs remounted
 * read-only (root only: mount).
 */

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('read-only data test skipped: mounting a tmpfs needs root');

let mountDir = '';
beforeEach(() => {
  if (!isRoot) return;
  mountDir = mkdtempSync(join(tmpdir(), 'hcp-rofs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountDir], { stdio: 'pipe' });
});
afterEach(() => {
  if (!isRoot || !mountDir) return;
  try {
    execFileSync('umount', [mountDir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
  }
  rmdirSync(mountDir);
  mountDir = '';
});

const remount = (mode: 'ro' | 'rw') =>
  execFileSync('mount', ['-o', `remount,${mode}`, mountDir], { stdio: 'pipe' });

/** A pad's database with one value in it; with `cleanStop`, closed and marked as a clean stop. */
function padDatabase(cleanStop: boolean): string {
  const file = join(mountDir, 'kiosk.db');
  const db = openDatabase(file);
  setMeta(db, 'marker', 'kept');
  db.close();
  if (cleanStop) writeFileSync(cleanStopFile(file), describeCleanStop(file, Date.now())!);
  return file;
}

function startError(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('the open did not fail');
}

describe.skipIf(!isRoot)('the data partition read-only at start', () => {
  for (const cleanStop of [false, true]) {
    it(`the pad's start says the file system is read-only${cleanStop ? ', after a clean stop' : ''}; nothing changes`, () => {
      const file = padDatabase(cleanStop);
      const before = readdirSync(mountDir).sort();
      remount('ro');

      const config = configSchema.parse({ dataDir: mountDir });
      const err = startError(() => openCheckedDatabase(file, Date.now(), { deferCheck: true }));
      const sentence = explainStartError(err, config);
      expect(sentence, String(err)).toMatch(
        /^数据分区只读 \/ the file system of the data directory .* is read-only/,
      );
      expect(sentence).toMatch(/journalctl -k/);
      expect(sentence).not.toMatch(/permission|dataDir \(HCP__dataDir\)/);

      remount('rw');
      expect(readdirSync(mountDir).sort()).toEqual(before);
      const db = openDatabase(file);
      expect(getMeta(db, 'marker')).toBe('kept');
      db.close();
    });
  }

  it("a technician's tool stops with the same diagnosis and changes nothing", () => {
    const file = padDatabase(false);
    remount('ro');
    const err = startError(() => openCheckedDatabase(file, Date.now()));
    expect(err).toBeInstanceOf(IntegrityCheckBlockedError);
    expect((err as Error).message).toMatch(/read-only, as Linux makes it after disk errors/);
    expect(explainStartError(err, null)).toBe((err as Error).message);
    remount('rw');
    expect(existsSync(join(mountDir, 'damaged'))).toBe(false);
  });

  it('a write refused for a full disk at start is named as a full disk, not as a setting', () => {
    const config = configSchema.parse({ dataDir: mountDir });
    const err = Object.assign(new Error('ENOSPC: no space left on device'), {
      code: 'ENOSPC',
      syscall: 'write',
      path: join(mountDir, 'kiosk.db.check-failed'),
    });
    expect(explainStartError(err, config)).toMatch(
      /^磁盘已满 \/ the disk of the data directory .* is full \(ENOSPC/,
    );
  });
});
