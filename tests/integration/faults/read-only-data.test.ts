import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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

/** Root is not enough (a user namespace is root without mounts): try one. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'hcp-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}
const mounting = canMount();
if (!mounting) console.log('read-only data test skipped: this process cannot mount a tmpfs');

let mountDir = '';
let mounted = false;
beforeEach(() => {
  if (!mounting) return;
  mountDir = mkdtempSync(join(tmpdir(), 'hcp-rofs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountDir], { stdio: 'pipe' });
  mounted = true;
});
afterEach(() => {
  try {
    if (mounted) {
      try {
        execFileSync('umount', [mountDir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
      }
    }
  } finally {
    mounted = false;
    if (mountDir) rmdirSync(mountDir);
    mountDir = '';
  }
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

describe.skipIf(!mounting)('the data partition read-only at start', () => {
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

  it('SQLite that cannot open a database on a read-only partition is read as a read-only partition', () => {
    const file = padDatabase(false);
    remount('ro');
    const err = startError(() => openDatabase(file));
    expect((err as { code?: string }).code).toMatch(/^SQLITE_(CANTOPEN|READONLY)/);
    const sentence = explainStartError(err, configSchema.parse({ dataDir: mountDir }));
    expect(sentence).toMatch(/^数据分区只读 \/ .* is read-only \(SQLITE_/);
  });

  it('a read-only file elsewhere (an export to a write-protected stick) is not blamed on the data partition', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hcp-data-'));
    try {
      remount('ro');
      const err = startError(() => writeFileSync(join(mountDir, 'handover.json'), '{}'));
      expect((err as { code?: string }).code).toBe('EROFS');
      const sentence = explainStartError(err, configSchema.parse({ dataDir }));
      expect(sentence).toMatch(/^只读文件系统 \/ .*handover\.json is on a read-only file system/);
      expect(sentence).not.toMatch(/数据分区|fsck/);
    } finally {
      rmdirSync(dataDir);
    }
  });

  it('a full data disk: a write refused without a path is named a full disk; the start opens or says so', () => {
    const file = padDatabase(false);
    // Fill the disk.
    const fd = openSync(join(mountDir, 'filler'), 'w');
    const block = Buffer.alloc(64 * 1024, 1);
    const full = startError(() => {
      for (;;) writeSync(fd, block);
    });
    closeSync(fd);
    expect(full).toMatchObject({ code: 'ENOSPC', syscall: 'write' });
    expect((full as { path?: string }).path).toBeUndefined();
    const config = configSchema.parse({ dataDir: mountDir });
    expect(explainStartError(full, config)).toMatch(
      /^磁盘已满 \/ the disk of the data directory .* is full \(ENOSPC\)/,
    );

    // The pad's start on it: no stack trace — it opens (and the storage state says full), or it
    // stops with the disk-full sentence.
    let opened: { close(): void } | null = null;
    try {
      opened = openCheckedDatabase(file, Date.now(), { deferCheck: true }).db;
    } catch (err) {
      expect(explainStartError(err, config)).toMatch(/^磁盘已满/);
    }
    opened?.close();
  });
});
