import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPin as padVerifyPin } from '../../../src/domain/pin.js';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import type { Db } from '../../../src/store/db.js';
import { getRefdata } from '../../../src/store/refdata.js';
import type { SyncService } from '../../../src/sync/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { HEARTBEAT, openPadDb, testSync, waitFor } from '../../unit/sync/fixtures.js';

describe('reference data, photos and heartbeat', () => {
  let sim: PlatformSim;
  let db: Db;
  let dir: string;
  let cleanup: () => void;
  const services: SyncService[] = [];
  beforeEach(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = openPadDb(dir);
    sim = await startPlatformSim();
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await sim.close();
    db.close();
    cleanup();
  });
  const sync = (o: Parameters<typeof testSync>[3] = {}, url = sim.url) => {
    const s = testSync(db, dir, url, o);
    services.push(s);
    return s;
  };

  it('fetches all four, caches staff photos, and PINs arrive as scrypt PHC strings the pad can verify', async () => {
    const seen: string[] = [];
    const s = sync({ extra: { onRefdata: (n) => seen.push(n) } });
    const st = await s.syncNow();
    for (const n of ['profile', 'norms', 'tasks', 'staff']) expect(st.refdata[n]?.etag, n).toMatch(/^".+"$/);
    expect(seen).toEqual(expect.arrayContaining(['profile', 'norms', 'tasks', 'staff', 'photos']));
    expect(getRefdata(db, 'profile')?.value).toMatchObject({
      hallCode: 'H370900001',
      windowNo: '12',
      timing: { appealWorkingDays: 3 },
    });
    expect(getRefdata(db, 'tasks')?.value.items).toHaveLength(14);
    const staff = getRefdata(db, 'staff')?.value.items ?? [];
    const li = staff.find((x) => x.staffId === 'T0107');
    expect(li?.pin).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]{43}$/);
    expect(padVerifyPin('246810', li?.pin as string)).toBe(true);
    expect(padVerifyPin('246811', li?.pin as string)).toBe(false);
    expect(JSON.stringify(staff)).not.toContain('246810');
    expect(readdirSync(join(dir, 'photos')).sort()).toEqual([
      'T0107.svg',
      'T0112.svg',
      'T0203.svg',
      'T0318.svg',
    ]);
    expect(readFileSync(join(dir, 'photos', 'T0107.svg'), 'utf8')).toContain('<svg');
  });

  it('ETag: a second refresh is all 304, and the copies stay', async () => {
    const s = sync();
    await s.syncNow();
    const before = getRefdata(db, 'norms');
    const n304 = sim.stats().statuses['304'] ?? 0;
    await s.syncNow();
    expect((sim.stats().statuses['304'] ?? 0) - n304).toBe(10); // 4 lists + 2 calendar years + 4 photos
    expect(getRefdata(db, 'norms')?.etag).toBe(before?.etag);
    expect(getRefdata(db, 'norms')?.fetchedMs).toBeGreaterThanOrEqual(before?.fetchedMs ?? 0);
  });

  it('a bad answer changes nothing; a good new version replaces the copy', async () => {
    const s = sync();
    await s.syncNow();
    const norms = getRefdata(db, 'norms');
    const staff = getRefdata(db, 'staff');
    sim.setRefdataOverride('norms', '{"version":"v-broken","items":[{"code":"x"}]}');
    sim.setRefdataOverride('staff', 'this is not json');
    await s.syncNow();
    expect(getRefdata(db, 'norms')).toEqual(norms);
    expect(getRefdata(db, 'staff')).toEqual(staff);
    sim.setRefdataOverride(
      'norms',
      JSON.stringify({ version: 'national-2026-01', items: [{ code: '101', starLevel: 1, name: '新指标' }] }),
    );
    await s.syncNow();
    expect(getRefdata(db, 'norms')?.value.version).toBe('national-2026-01');
    expect(getRefdata(db, 'norms')?.etag).not.toBe(norms?.etag);
  });

  it('offline start works from the last copies', async () => {
    const s = sync();
    await s.syncNow();
    await s.stop();
    await sim.close();
    const offline = sync({}, 'http://127.0.0.1:9');
    offline.start();
    await waitFor(() => offline.status().lastError !== null || !offline.status().online, 3000);
    await new Promise((r) => setTimeout(r, 200));
    const st = offline.status();
    expect(st.online).toBe(false);
    for (const n of ['profile', 'norms', 'tasks', 'staff']) expect(st.refdata[n]).not.toBeNull();
    expect(getRefdata(db, 'staff')?.value.items).toHaveLength(4);
    expect(existsSync(join(dir, 'photos', 'T0107.svg'))).toBe(true);
    sim = await startPlatformSim(); // for afterEach
  });

  it('heartbeats on the interval with the figures the core gives', async () => {
    const s = sync({
      config: { heartbeatIntervalS: 0.1 },
      extra: { heartbeat: () => ({ ...HEARTBEAT, uptimeS: 42, screen: 'rating' }) },
    });
    s.start();
    await waitFor(() => sim.stats().heartbeats >= 3, 5000);
    const row = sim.db.prepare('SELECT device_id AS d, body FROM heartbeats LIMIT 1').get() as {
      d: string;
      body: string;
    };
    expect(row.d).toBe('PAD-DEMO-12');
    expect(JSON.parse(row.body)).toMatchObject({ uptimeS: 42, screen: 'rating', outbox: { pending: 0 } });
  });
});
