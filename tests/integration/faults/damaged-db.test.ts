import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskCore } from '../../../src/host/core.js';
import type { PlatformSim } from '../../../platform-sim/index.js';
import { verifyChain } from '../../../src/store/verify.js';
import { api } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  lastPageInUse,
  padRecords,
  PAGE,
  platformHead,
  rate,
  recordLeafPages,
  startPad,
  startSim,
  syncAll,
  until,
} from './pad-fixture.js';

/**
 * The database damaged the ways eMMC and power cuts damage it. Each case: 120 ratings, all
 * delivered (the platform holds deviceSeq 1..120), the file damaged, the pad restarted. What the
 * pad did and what it recovered is printed (`damage:` lines) and asserted.
 */

let sim: PlatformSim;
let dir: string;
let cleanup: () => void;
let core: KioskCore | null = null;

beforeEach(async () => {
  sim = await startSim();
  const t = tempDir('hcp-damage-');
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

/** 120 delivered ratings; with `walTail`, the last 20 stay in the WAL and a copy of db+WAL is taken. */
async function history(opts: { walTail?: boolean } = {}): Promise<string | null> {
  core = await startPad(dir, sim.url);
  await syncAll(core);
  await rate(core, opts.walTail ? 100 : 120);
  await syncAll(core);
  let image: string | null = null;
  if (opts.walTail) {
    core.db.pragma('wal_checkpoint(TRUNCATE)');
    await rate(core, 20);
    await syncAll(core);
    image = join(dir, 'image');
    rmSync(image, { recursive: true, force: true });
    mkdirSync(image);
    copyFileSync(dbFile(), join(image, 'kiosk.db'));
    copyFileSync(`${dbFile()}-wal`, join(image, 'kiosk.db-wal'));
  }
  expect(platformHead(sim).seq).toBe(120);
  await core.stop();
  core = null;
  if (image) {
    // The power went: the files are as the copy shows them (WAL not checkpointed).
    for (const f of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm']) rmSync(join(dir, f), { force: true });
    copyFileSync(join(image, 'kiosk.db'), dbFile());
    copyFileSync(join(image, 'kiosk.db-wal'), `${dbFile()}-wal`);
  }
  return image;
}

/** Page numbers (1-based) of the records table's leaf pages in the database file. */
function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Restart, let the profile arrive, rate once more; returns what the pad did. */
async function restartAndRate() {
  core = await startPad(dir, sim.url);
  const c = core;
  const report = c.damageReport();
  const stateAtStart = c.storage.state();
  const salvaged = padRecords(c).length;
  await syncAll(c);
  await until(() => c.storage.state() === 'ok', 5000, 'storage ok after the profile');
  // An evaluation the lost WAL tail had left open is rated by the board's resent press.
  const reopened = c.evaluations.openEvaluation() !== null;
  if (reopened) {
    c.evaluations.press({ source: 'key', key: 5 });
    await syncAll(c);
  }
  const before = platformHead(sim);
  const [id] = await rate(c, 1);
  await syncAll(c);
  const rec = padRecords(c).find((r) => r.evaluationId === id);
  return { report, stateAtStart, salvaged, reopened, before, rec, verify: verifyChain(c.db) };
}

function expectContinuesAbovePlatform(out: Awaited<ReturnType<typeof restartAndRate>>) {
  expect(out.verify.ok).toBe(true);
  if (out.reopened) {
    // The re-rated evaluation reached the platform before the loss: it answers `duplicate` and
    // keeps the first rating (nothing counted twice); the pad's numbers still only go up.
    expect(out.rec?.deviceSeq).toBeGreaterThan(out.before.seq + 1);
    expect(platformHead(sim).seq).toBe(out.rec?.deviceSeq);
  } else {
    expect(out.rec?.deviceSeq).toBe(out.before.seq + 1);
    expect(out.rec?.prevHash).toBe(out.before.hash);
    expect(platformHead(sim).seq).toBe(out.before.seq + 1);
  }
  // every seq the platform holds is used once
  const seqs = sim.db.prepare('SELECT device_seq AS s FROM evaluations').all() as Array<{ s: number }>;
  expect(new Set(seqs.map((r) => r.s)).size).toBe(seqs.length);
}

function print(name: string, out: Awaited<ReturnType<typeof restartAndRate>>) {
  const r = out.report;
  console.log(
    `damage: ${name}: state at start ${out.stateAtStart}; ${r ? `kept aside ${r.keptAt ? 'yes' : 'no'}, recovered ${r.recoveredRecords} records (${r.recoveredPending} pending), reason "${r.reason.slice(0, 90)}"${r.salvageError ? `, tool: ${r.salvageError.slice(0, 300)}` : ''}` : 'no damage found (SQLite replayed the WAL up to the damage)'}; ` +
      `local records after start ${out.salvaged}${out.reopened ? ' (an evaluation the WAL left open was rated on resend)' : ''}; new rating got deviceSeq ${out.rec?.deviceSeq} after the platform's ${out.before.seq}`,
  );
}

describe('a damaged database', () => {
  it('two zeroed pages: kept aside, rows salvaged, continues above the platform', async () => {
    await history();
    // Two of the pages that hold records (which pages those are depends on the storage layout).
    const leaves = recordLeafPages(dbFile());
    for (const p of [leaves[Math.floor(leaves.length * 0.4)], leaves[Math.floor(leaves.length * 0.6)]])
      overwrite(dbFile(), ((p as number) - 1) * PAGE, Buffer.alloc(PAGE));
    const out = await restartAndRate();
    print('two zeroed pages', out);
    expect(out.stateAtStart).toBe('recovering');
    expect(out.report?.keptAt).toMatch(/damaged/);
    expect(existsSync(out.report!.keptAt)).toBe(true);
    expect(out.report?.recoveredRecords).toBeGreaterThan(50);
    expect(out.report?.recoveredRecords).toBeLessThan(120);
    expectContinuesAbovePlatform(out);
  });

  it('a torn last page: kept aside, rows salvaged, continues above the platform', async () => {
    await history();
    // The file torn inside the last page that holds rows. Which page that is, and whether free
    // pages follow it, depends on the storage layout: a file ending in free pages torn there loses
    // nothing, and the pad rightly finds nothing (decision 235 moved this layout's last rows to
    // page 63 of 65). Free pages after it are cut off with the tear.
    const end = lastPageInUse(dbFile()) * PAGE;
    overwrite(dbFile(), end - PAGE / 2, Buffer.alloc(PAGE / 2, 0xa5));
    truncateSync(dbFile(), end - PAGE / 4);
    const out = await restartAndRate();
    print('torn last page', out);
    expect(out.stateAtStart).toBe('recovering');
    expect(out.report?.recoveredRecords).toBeGreaterThan(100);
    expectContinuesAbovePlatform(out);
  });

  it('a zeroed first page (header): NOTADB, kept aside, continues above the platform', async () => {
    await history();
    overwrite(dbFile(), 0, Buffer.alloc(PAGE));
    const out = await restartAndRate();
    print('zeroed header page', out);
    expect(out.stateAtStart).toBe('recovering');
    expect(out.report).not.toBeNull();
    expectContinuesAbovePlatform(out);
  });

  it('a truncated WAL: the torn transactions are dropped, the platform position closes the gap', async () => {
    await history({ walTail: true });
    const wal = `${dbFile()}-wal`;
    // cut inside a frame a third of the way in: the filesystem kept only part of the WAL's data
    const frame = 24 + PAGE;
    const frames = Math.floor((statSync(wal).size - 32) / frame);
    truncateSync(wal, 32 + Math.floor(frames / 3) * frame + 1000);
    const out = await restartAndRate();
    print('truncated WAL', out);
    expect(out.report).toBeNull();
    expect(out.salvaged).toBeGreaterThanOrEqual(100);
    expect(out.salvaged).toBeLessThan(120);
    expectContinuesAbovePlatform(out);
  });

  it('a corrupted WAL frame with commits after it: treated as damage, kept aside, continues above', async () => {
    await history({ walTail: true });
    const wal = `${dbFile()}-wal`;
    const frame = 24 + PAGE;
    // a few frames in: SQLite would drop every committed transaction after it without a word
    overwrite(wal, 32 + 2 * frame + 24 + 100, Buffer.alloc(64, 0x5a));
    const out = await restartAndRate();
    print('corrupted WAL', out);
    expect(out.stateAtStart).toBe('recovering');
    expect(out.report?.reason).toMatch(/WAL damaged/);
    expect(readdirSync(join(dir, 'damaged')).some((n) => n.endsWith('-wal'))).toBe(true);
    expectContinuesAbovePlatform(out);
  });

  it('the database gone altogether: starts empty, waits for the platform, continues above it', async () => {
    await history();
    for (const f of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm']) rmSync(join(dir, f), { force: true });
    const out = await restartAndRate();
    print('database gone', out);
    expect(out.stateAtStart).toBe('recovering');
    expect(out.salvaged).toBe(0);
    expectContinuesAbovePlatform(out);
  });

  it('while it waits for the platform: new evaluations get a clear 503, GET /v1/status says recovering', async () => {
    await history();
    rmSync(dbFile());
    await sim.close();
    core = await startPad(dir, 'http://127.0.0.1:9');
    const res = await api(core, 'POST', '/v1/evaluations', {
      cases: [
        {
          projectNo: '370900-2026-900001',
          taskCode: '370900-XK-0001',
          taskName: '个体工商户设立登记',
          promiseType: 1,
        },
      ],
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'storage_unavailable', storage: 'recovering' });
    expect((await api(core, 'GET', '/v1/status')).body).toMatchObject({ storage: 'recovering' });
    expect(core.snapshot().storage).toBe('recovering');
    sim = await startSim(); // for afterEach
  });
});
