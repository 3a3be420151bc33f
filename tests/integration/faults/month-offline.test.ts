import { afterEach, expect, it } from 'vitest';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import type { ClientSession } from '../../../src/api/dispatch.js';
import type { TechStatus } from '../../../src/api/contract.js';
import type { KioskCore } from '../../../src/host/core.js';
import { startFaultProxy, type FaultProxy } from '../../emulators/fault-proxy.js';
import { tempDir } from '../../helpers/tmp.js';
import { seedRecords } from '../../unit/sync/fixtures.js';
import { FakeTime } from './fake-time.js';
import { DEVICE_ID, padRecords, rate, SECRET, startPad } from './pad-fixture.js';

/**
 * A month offline (issue 15 item 5), on a fake clock shared by the pad and the platform
 * simulator: 30 days without the platform, 50,000 records pending, reference data 30 days old.
 * The pad keeps rating, the technician status shows the backlog's age, and on reconnect it drains
 * in deviceSeq order, in batches within the platform's limits, each record exactly once.
 */
const DAY = 86_400_000;
const DAYS = 30;
const TOTAL = 50_000;

const tmp = tempDir('hcp-month-');
let core: KioskCore | null = null;
let sim: PlatformSim | null = null;
let proxy: FaultProxy | null = null;
afterEach(async () => {
  await core?.stop();
  await proxy?.close();
  await sim?.close();
  core = sim = proxy = null;
  tmp.cleanup();
});

async function techStatus(c: KioskCore): Promise<TechStatus> {
  const s: ClientSession = { techUnlocked: false };
  await c.dispatch('techUnlock', { code: '482913' }, s);
  const out = (await c.dispatch('techStatus', {}, s)) as { ok: boolean; result: TechStatus };
  expect(out.ok).toBe(true);
  return out.result;
}

it('30 days offline with 50,000 pending: keeps rating, shows the backlog age, drains in order within the batch limits', async () => {
  const time = new FakeTime(Date.UTC(2026, 10, 2, 1, 0, 0)); // 2026-11-02 09:00 CST
  sim = await startPlatformSim({
    devices: [{ deviceId: DEVICE_ID, secret: SECRET, windowNo: '12' }],
    clock: time,
  });
  proxy = await startFaultProxy({ target: sim.url });
  core = await startPad(tmp.dir, proxy.url, { clock: time });
  const c = core;
  await c.sync.service?.syncNow(); // day 0: profile and reference data fresh
  const profileFetched = c.sync.service?.status().refdata.profile?.fetchedMs ?? 0;
  expect(profileFetched).toBe(time.now());

  // The platform goes away for a month. Each day the pad rates at its window (through the core)
  // and the rest of the day's share of the backlog is sealed through the real store.
  proxy.setModes({ reset: 1 });
  const seeded = TOTAL - DAYS;
  let from = 0;
  const t0 = performance.now();
  for (let day = 0; day < DAYS; day++) {
    time.pass(DAY / 2);
    const n = Math.floor(((day + 1) * seeded) / DAYS) - from;
    seedRecords(c.db, n, { from, nowMs: time.now(), chunk: n });
    from += n;
    await rate(c, 1, day % 2 === 0 ? 5 : 4); // still rating, with 30-day-old reference data
    time.pass(DAY / 2);
  }
  const seedMs = performance.now() - t0;
  await c.sync.service?.syncNow(); // the technician presses "sync now": the platform is still away

  const status = await techStatus(c);
  expect(status.sync.pending).toBe(TOTAL);
  expect(status.sync.online).toBe(false);
  // the backlog's age: the oldest record waits since day 0 (half a day in)
  expect(status.sync.oldestPendingAgeMs).toBe(DAYS * DAY - DAY / 2);
  const refAgeDays = (time.now() - profileFetched) / DAY;
  expect(refAgeDays).toBe(DAYS);

  // Back online: it drains on its own, in order, in batches of at most 500 records.
  proxy.setModes({});
  const d0 = performance.now();
  for (let i = 0; i < 5 && (c.sync.service?.status().pending ?? 0) > 0; i++) await c.sync.service?.syncNow();
  const drainMs = performance.now() - d0;
  expect(c.sync.service?.status().pending).toBe(0);

  const held = sim.db
    .prepare(
      'SELECT evaluation_id AS id, device_seq AS seq FROM evaluations WHERE device_id = ? ORDER BY rowid',
    )
    .all(DEVICE_ID) as Array<{ id: string; seq: number }>;
  expect(held).toHaveLength(TOTAL);
  expect(new Set(held.map((h) => h.id)).size).toBe(TOTAL); // exactly once
  // in order: stored as received, deviceSeq 1..50,000 without a gap or a step back
  held.forEach((h, i) => {
    if (h.seq !== i + 1) throw new Error(`record ${i} arrived with deviceSeq ${h.seq}`);
  });
  expect(held.map((h) => h.id)).toEqual(padRecords(c).map((r) => r.evaluationId));
  const batches = (
    sim.db.prepare('SELECT results FROM batches WHERE device_id = ?').all(DEVICE_ID) as Array<{
      results: string;
    }>
  ).map((b) => (JSON.parse(b.results) as unknown[]).length);
  expect(Math.max(...batches)).toBeLessThanOrEqual(500);
  expect(batches.reduce((a, b) => a + b, 0)).toBe(TOTAL); // no batch sent twice with other records
  // stale reference data was refreshed on reconnect
  expect(c.sync.service?.status().refdata.profile?.fetchedMs).toBe(time.now());
  console.log(
    `month offline: ${TOTAL} records over ${DAYS} days (seeded in ${(seedMs / 1000).toFixed(1)} s), backlog age shown ${(status.sync.oldestPendingAgeMs ?? 0) / DAY} days; drained in ${(drainMs / 1000).toFixed(1)} s in ${batches.length} batches (largest ${Math.max(...batches)})`,
  );
}, 180_000);
