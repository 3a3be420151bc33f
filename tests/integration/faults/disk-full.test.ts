import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/api/contract.js';
import type { KioskCore } from '../../../src/host/core.js';
import { StorageHealth } from '../../../src/host/storage-health.js';
import { api, putOnDuty } from '../../helpers/core.js';
import { startPad, until } from './pad-fixture.js';

/**
 * A full disk and a filesystem that turns read-only, on a real 8 MiB tmpfs (root only: mount).
 */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('disk-full tests skipped: mounting a tmpfs needs root');

let mountDir: string;
let core: KioskCore | null = null;
let bound: string | null = null;

function mount(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

beforeEach(() => {
  if (!isRoot) return;
  mountDir = mkdtempSync(join(tmpdir(), 'hcp-tmpfs-'));
  mount('-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountDir);
});
afterEach(async () => {
  await core?.stop();
  core = null;
  if (!isRoot) return;
  if (bound) execFileSync('umount', [bound]);
  bound = null;
  execFileSync('umount', [mountDir]);
  rmdirSync(mountDir);
});

const CASE = {
  projectNo: '370900-2026-700001',
  taskCode: '370900-XK-0001',
  taskName: '个体工商户设立登记',
  promiseType: 1,
};

function fill(dir: string): string {
  const file = join(dir, 'filler.bin');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    /* ENOSPC: full */
  } finally {
    closeSync(fd);
  }
  return file;
}

function pressFails(c: KioskCore): string {
  try {
    c.guardStorage(() => c.evaluations.press({ source: 'key', key: 4 }));
  } catch (err) {
    return err instanceof ApiError ? err.code : String((err as { code?: string }).code);
  }
  return 'stored';
}

describe.skipIf(!isRoot)('storage faults on a real filesystem', () => {
  it('disk full: said within a second everywhere, the press is not stored and not acknowledged, recovers when space returns', async () => {
    const dataDir = join(mountDir, 'data');
    core = await startPad(dataDir, 'http://127.0.0.1:9');
    const c = core;
    putOnDuty(c);
    const started = await api(c, 'POST', '/v1/evaluations', { cases: [CASE] });
    expect(started.status).toBe(201);
    const filler = fill(mountDir);
    const t0 = Date.now();
    await until(() => c.storage.state() === 'full', 1000, 'storage full within a second');
    const saidAfterMs = Date.now() - t0;
    expect((await api(c, 'GET', '/v1/status')).body).toMatchObject({ storage: 'full' });
    expect(c.snapshot().storage).toBe('full');
    // The board's press cannot be stored: it throws (the driver then does not ack), nothing changes.
    expect(pressFails(c)).toBe('storage_unavailable');
    expect(c.evaluations.openEvaluation()?.evaluation.state).toBe('waiting');
    const refused = await api(c, 'POST', '/v1/evaluations', {
      cases: [{ ...CASE, projectNo: '370900-2026-700002' }],
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'storage_unavailable', storage: 'full' });
    // reading still works
    expect((await api(c, 'GET', `/v1/evaluations/${String(started.body.evaluationId)}`)).status).toBe(200);
    rmSync(filler);
    await until(() => c.storage.state() === 'ok', 5000, 'storage ok after space returned');
    expect(pressFails(c)).toBe('stored'); // the board's resend now goes through
    expect(c.evaluations.get(String(started.body.evaluationId))?.evaluation.state).toBe('rated');
    console.log(
      `disk full: said after ${saidAfterMs} ms; press refused while full; rated after space returned`,
    );
  });

  // A live pad cannot be remounted read-only from a test: SQLite's writable shared mapping of the
  // -shm file makes the kernel answer EBUSY (only ext4's own errors=remount-ro can). So the
  // detection is tested on the data directory alone, and the refusal path is the one above.
  it('read-only remount: the storage probe says so within a second and recovers by itself', async () => {
    const dataDir = join(mountDir, 'data');
    mkdirSync(dataDir);
    mount('--bind', dataDir, dataDir);
    bound = dataDir;
    const health = new StorageHealth(dataDir);
    health.start();
    try {
      expect(health.state()).toBe('ok');
      mount('-o', 'remount,bind,ro', dataDir);
      const t0 = Date.now();
      await until(() => health.state() === 'read_only', 1000, 'read_only within a second');
      const saidAfterMs = Date.now() - t0;
      mount('-o', 'remount,bind,rw', dataDir);
      await until(() => health.state() === 'ok', 5000, 'ok after remount rw');
      console.log(`read-only: probe said read_only after ${saidAfterMs} ms; ok again after remount rw`);
    } finally {
      health.stop();
    }
  });
});
