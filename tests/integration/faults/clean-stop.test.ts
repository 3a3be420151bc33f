import Database from 'better-sqlite3';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskCore } from '../../../src/host/core.js';
import type { PlatformSim } from '../../../platform-sim/index.js';
import {
  checkFailedFile,
  cleanStopFile,
  clearCheckFailed,
  describeCleanStop,
  markCheckFailed,
} from '../../../src/store/clean-stop.js';
import { openDatabase } from '../../../src/store/db.js';
import { openCheckedDatabase } from '../../../src/store/recovery.js';
import { api } from '../../helpers/core.js';
import { startPadProcess } from '../../helpers/pad-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { PAGE, rate, recordLeafPages, startPad, startSim, syncAll, until } from './pad-fixture.js';

/**
 * Decision 178: after a clean stop the full integrity check runs beside the running pad instead
 * of before the window API answers; anything else (a kill, a changed file, a WAL left, a failed
 * background check) takes the full check at start as before.
 */

let sim: PlatformSim;
let dir: string;
let cleanup: () => void;
let core: KioskCore | null = null;

beforeEach(async () => {
  sim = await startSim();
  const t = tempDir('hcp-clean-stop-');
  dir = t.dir;
  cleanup = t.cleanup;
});
afterEach(async () => {
  await core?.stop();
  core = null;
  await sim.close();
  cleanup();
});

const dbFile = () => join(dir, 'kiosk.db');

/** The log lines of the pad on `dir` whose message matches. */
function logLines(re: RegExp): Array<Record<string, unknown>> {
  const file = join(dir, 'logs', 'kiosk.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => re.test(String(l.msg)));
}

/** A pad with `n` delivered ratings, stopped cleanly. */
async function cleanlyStoppedPad(n: number): Promise<void> {
  core = await startPad(dir, sim.url);
  await syncAll(core);
  await rate(core, n);
  await syncAll(core);
  await core.stop();
  core = null;
}

/** Which way the next start opens the file (and consumes the marker): the core's own option. */
function nextOpen(): 'checked' | 'deferred' {
  const opened = openCheckedDatabase(dbFile(), Date.now(), { deferCheck: true });
  opened.db.close();
  return opened.integrity;
}

const newEvaluation = {
  cases: [
    {
      projectNo: '370900-2026-900178',
      taskCode: '370900-XK-0001',
      taskName: '个体工商户设立登记',
      promiseType: 1,
    },
  ],
};

describe('the clean-stop marker', () => {
  it('after a clean stop the next start defers the full check and runs it in the background', async () => {
    await cleanlyStoppedPad(10);
    expect(existsSync(cleanStopFile(dbFile()))).toBe(true);
    const marker = JSON.parse(readFileSync(cleanStopFile(dbFile()), 'utf8')) as { size: number };
    expect(marker.size).toBe(statSync(dbFile()).size);
    expect(statSync(cleanStopFile(dbFile())).mode & 0o077).toBe(0);

    core = await startPad(dir, sim.url);
    const c = core;
    // consumed before the database was opened for writes
    expect(existsSync(cleanStopFile(dbFile()))).toBe(false);
    // The heartbeat and the technician screen read this run's check; they never check again on
    // the main thread (a quick_check walks the whole file: seconds on a large database).
    const pragmas: string[] = [];
    const pragma = c.db.pragma.bind(c.db);
    c.db.pragma = ((source: string, options?: Parameters<typeof pragma>[1]) => {
      pragmas.push(source);
      return pragma(source, options);
    }) as typeof c.db.pragma;
    await until(() => logLines(/integrity check passed \(background\)/).length === 1, 20_000, 'the check');
    expect(c.dbInfo()).toMatchObject({ integrity: 'ok' });
    expect(c.dbInfo().checkedMs).toEqual(expect.any(Number));
    expect(pragmas.filter((p) => /check/.test(p))).toEqual([]);
    expect(typeof logLines(/integrity check passed/)[0]?.ms).toBe('number');
    expect(c.storage.state()).toBe('ok');
    expect((await api(c, 'GET', '/v1/status')).body).toMatchObject({ storage: 'ok' });
    await c.stop();
    core = null;

    // The start path itself, as the core asks for it: no check before the database opens.
    expect(nextOpen()).toBe('deferred');
    expect(existsSync(cleanStopFile(dbFile()))).toBe(false);
    // used once: without a new clean stop the next open checks
    expect(nextOpen()).toBe('checked');
  });

  it('a page worn after a clean stop (size and time kept): found in the background, 503, repaired at the next start', async () => {
    await cleanlyStoppedPad(120);
    const file = dbFile();
    const st = statSync(file);
    const leaves = recordLeafPages(file);
    const page = leaves[Math.floor(leaves.length / 2)] as number;
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(PAGE), 0, PAGE, (page - 1) * PAGE);
    } finally {
      closeSync(fd);
    }
    utimesSync(file, st.atime, st.mtime); // eMMC rot: nothing on the file system changed
    expect(statSync(file).size).toBe(st.size);

    core = await startPad(dir, sim.url);
    const c = core;
    await until(() => c.storage.state() === 'damaged', 20_000, 'the background check to find the damage');
    expect(c.dbInfo()).toMatchObject({ integrity: 'damaged' });
    expect(logLines(/found damage \(background\)/)).toHaveLength(1);
    expect(existsSync(checkFailedFile(file))).toBe(true);
    expect((await api(c, 'GET', '/v1/status')).body).toMatchObject({ storage: 'damaged' });
    const res = await api(c, 'POST', '/v1/evaluations', newEvaluation);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'storage_unavailable', storage: 'damaged' });
    await c.stop();
    core = null;
    // a damaged pad's stop is not a clean stop
    expect(existsSync(cleanStopFile(file))).toBe(false);

    core = await startPad(dir, sim.url);
    const d = core;
    const report = d.damageReport();
    expect(report?.keptAt).toMatch(/damaged/);
    expect(existsSync(report!.keptAt)).toBe(true);
    expect(readdirSync(join(dir, 'damaged')).length).toBeGreaterThan(0);
    expect(report?.recoveredRecords).toBeGreaterThan(50);
    expect(existsSync(checkFailedFile(file))).toBe(false);
    await syncAll(d);
    await until(() => d.storage.state() === 'ok', 5000, 'storage ok after the profile');
  });

  it('a marker that does not match the file (size changed) means the full check at start', async () => {
    await cleanlyStoppedPad(3);
    const marker = JSON.parse(readFileSync(cleanStopFile(dbFile()), 'utf8')) as { size: number };
    writeFileSync(cleanStopFile(dbFile()), JSON.stringify({ ...marker, size: marker.size + PAGE }));
    expect(nextOpen()).toBe('checked');
    expect(existsSync(cleanStopFile(dbFile()))).toBe(false);
  });

  it('a WAL left beside a clean-stop marker means the full check at start', async () => {
    await cleanlyStoppedPad(3);
    const mtime = statSync(dbFile()).mtimeMs;
    // Another writer after the stop, its transaction still in the WAL (what a kill leaves).
    const other = new Database(dbFile());
    try {
      other.pragma('wal_autocheckpoint = 0');
      other.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('test.after', '1')`).run();
      expect(statSync(`${dbFile()}-wal`).size).toBeGreaterThan(0);
      expect(statSync(dbFile()).mtimeMs).toBe(mtime);
      expect(nextOpen()).toBe('checked');
    } finally {
      other.close();
    }
  });

  it('a failed background check left behind means the full check at start, which clears it', async () => {
    await cleanlyStoppedPad(3);
    writeFileSync(checkFailedFile(dbFile()), '{"outcome":"not_run"}\n');
    expect(nextOpen()).toBe('checked');
    expect(existsSync(checkFailedFile(dbFile()))).toBe(false);
  });
});

describe('a check owed in this run', () => {
  it('keeps the clean stop from vouching for the file even when its marker could not be written', () => {
    const t = tempDir('hcp-owed-');
    try {
      const file = join(t.dir, 'kiosk.db');
      openDatabase(file).close();
      expect(describeCleanStop(file, Date.now())).not.toBeNull();
      // The marker cannot be written (a full disk in the field; a directory in its place here).
      mkdirSync(checkFailedFile(file));
      expect(() => markCheckFailed(file, 'not_run', 'SQLITE_FULL')).toThrow();
      expect(describeCleanStop(file, Date.now())).toBeNull();
      // The full check at a start clears what was owed.
      rmdirSync(checkFailedFile(file));
      clearCheckFailed(file);
      expect(describeCleanStop(file, Date.now())).not.toBeNull();
    } finally {
      t.cleanup();
    }
  });
});

describe('the pad as a process', () => {
  it('SIGTERM records a clean stop; a kill leaves none and the next start checks', async () => {
    const stopped = await startPadProcess();
    try {
      stopped.child.kill('SIGTERM');
      await new Promise((r) => stopped.child.once('exit', r));
      const file = join(stopped.dataDir, 'kiosk.db');
      expect(existsSync(cleanStopFile(file))).toBe(true);
      const opened = openCheckedDatabase(file, Date.now(), { deferCheck: true });
      opened.db.close();
      expect(opened.integrity).toBe('deferred');
    } finally {
      await stopped.stop();
    }

    const killed = await startPadProcess();
    try {
      killed.child.kill('SIGKILL');
      await new Promise((r) => killed.child.once('exit', r));
      const file = join(killed.dataDir, 'kiosk.db');
      expect(existsSync(cleanStopFile(file))).toBe(false);
      const opened = openCheckedDatabase(file, Date.now(), { deferCheck: true });
      opened.db.close();
      expect(opened.integrity).toBe('checked');
    } finally {
      await killed.stop();
    }
  });
});
