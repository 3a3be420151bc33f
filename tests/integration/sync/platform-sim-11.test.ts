/** rule 13: the bundled platform simulator implements platform-api 1.1 (its own tests). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../../src/domain/canonical.js';
import type { PlatformRecord } from '../../../src/domain/record.js';
import {
  DEMO_2027,
  DEMO_DEVICE_ID,
  DEMO_DEVICE_SECRET,
  defaultSimCalendarYears,
  startPlatformSim,
  type PlatformSim,
} from '../../../platform-sim/index.js';
import { validateRecord } from '../../../platform-sim/validate.js';
import type { Db } from '../../../src/store/db.js';
import { ClockOffset } from '../../../src/store/clock-offset.js';
import { PlatformClient } from '../../../src/sync/http.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeUnsealed, openPadDb, seedRecords } from '../../unit/sync/fixtures.js';

type Result = { evaluationId: string; status: string; code?: string; message?: string };
type Rec = Record<string, unknown> & { hash: string; evaluationId: string };

describe('rule 13: platform simulator 1.1', () => {
  let sim: PlatformSim;
  let db: Db;
  let client: PlatformClient;
  let cleanup: () => void;
  beforeAll(async () => {
    sim = await startPlatformSim();
    const t = tempDir();
    cleanup = t.cleanup;
    db = openPadDb(t.dir);
    client = new PlatformClient({
      baseUrl: sim.url,
      deviceId: DEMO_DEVICE_ID,
      key: Buffer.from(DEMO_DEVICE_SECRET, 'base64'),
      algorithm: 'hmac-sha256',
      timeoutMs: 3000,
      offset: new ClockOffset(db, { now: () => Date.now() }),
      padClock: { now: () => Date.now() },
    });
  });
  afterAll(async () => {
    client.close();
    await sim.close();
    db.close();
    cleanup();
  });

  const reseal = (r: Record<string, unknown>): Rec => {
    const { hash: _hash, ...rest } = r;
    return { ...rest, hash: recordHash(rest) } as Rec;
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await client.request('GET', path, undefined, headers);
    const text = res.body.toString();
    return { status: res.status, etag: res.headers.etag, body: text ? (JSON.parse(text) as unknown) : null };
  };
  let seq = 0;
  let prev = '0'.repeat(64);
  const post = async (records: Array<Record<string, unknown>>): Promise<Result[]> => {
    const chained = records.map((r) => {
      seq += 1;
      const sealed = reseal({ ...r, deviceSeq: seq, prevHash: prev });
      prev = sealed.hash;
      return sealed;
    });
    const res = await client.request(
      'POST',
      '/v1/evaluations:batch',
      Buffer.from(JSON.stringify({ batchId: `b11-${seq}`, records: chained })),
    );
    return (JSON.parse(res.body.toString()) as { results: Result[] }).results;
  };
  const unrated = (i: number, o: Record<string, unknown> = {}) => {
    const {
      satisfaction: _s,
      inputSource: _i,
      assessTime: _a,
      evalDetail: _d,
      normVersion: _n,
      ...r
    } = makeUnsealed(i, o as never) as unknown as Record<string, unknown>;
    return { ...r, status: 'unrated', ...o };
  };

  it('rule 13: validates the 1.1 fields: cancelled, abandonedSatisfaction, groupMode', () => {
    const [good] = seedRecords(db, 1, { from: 7000 }) as [PlatformRecord];
    const base = good as unknown as Record<string, unknown>;
    const check = (patch: Record<string, unknown>, drop: string[] = []) => {
      const r: Record<string, unknown> = { ...base, ...patch };
      for (const d of drop) delete r[d];
      return validateRecord(reseal(r));
    };
    const notRated = ['satisfaction', 'inputSource', 'assessTime', 'evalDetail', 'normVersion'];
    const cancel = { status: 'cancelled', cancelledTime: '2026-12-02 10:00:00', cancelledBy: 'T0107' };
    expect(check({ ...cancel, cancelReason: 'wrong_case' }, notRated)).toBeNull();
    expect(check(cancel, notRated)).toMatch(/^cancelReason/);
    expect(check({ ...cancel, cancelReason: 'bored' }, notRated)).toMatch(/^cancelReason/);
    expect(check({ cancelReason: 'other' })).toMatch(/^cancelReason: only with status cancelled/);
    expect(check({ status: 'unrated', abandonedSatisfaction: 2 }, notRated)).toBeNull();
    expect(check({ status: 'unrated', abandonedSatisfaction: 4 }, notRated)).toMatch(
      /^abandonedSatisfaction/,
    );
    expect(check({ abandonedSatisfaction: 1 })).toMatch(/^abandonedSatisfaction: only with status unrated/);
    expect(check({ groupId: 'G', groupType: 'chain', groupMode: 'each' })).toBeNull();
    expect(check({ groupId: 'G', groupType: 'chain', groupMode: 'all' })).toMatch(/^groupMode/);
    expect(check({ groupId: 'G', groupType: 'batch', groupMode: 'overall' })).toMatch(
      /^groupMode: only with/,
    );
    // a 1.0 chain record without groupMode is still accepted
    expect(check({ groupId: 'G', groupType: 'chain' })).toBeNull();
  });

  it('rule 13: stores cancelled and abandoned records, and answers case visits from any window', async () => {
    const results = await post([
      unrated(1, { projectNo: 'CASE-11', serviceNumber: 1, windowNo: '3', abandonedSatisfaction: 1 }),
      unrated(2, {
        projectNo: 'CASE-11',
        serviceNumber: 2,
        windowNo: '12',
        status: 'cancelled',
        cancelledTime: '2026-12-02 10:00:00',
        cancelledBy: 'T0107',
        cancelReason: 'citizen_left',
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const visits = await get('/v1/cases/CASE-11?hallCode=H370900001');
    expect(visits).toMatchObject({
      status: 200,
      body: {
        projectNo: 'CASE-11',
        visits: [
          { serviceNumber: 1, status: 'unrated', windowNo: '3' },
          { serviceNumber: 2, status: 'cancelled', windowNo: '12' },
        ],
      },
    });
    expect((await get('/v1/cases/NO-SUCH-CASE')).status).toBe(404);
  });

  it('rule 13: publishes holiday calendars with ETag; 404 for a year not published', async () => {
    const y27 = await get('/v1/calendar?year=2027');
    expect(y27.status).toBe(200);
    expect(y27.body).toEqual({ year: 2027, holidays: DEMO_2027.holidays, workdays: DEMO_2027.workdays });
    expect((await get('/v1/calendar?year=2027', { 'If-None-Match': String(y27.etag) })).status).toBe(304);
    expect((await get('/v1/calendar?year=2026')).body).toMatchObject({ year: 2026 });
    expect((await get('/v1/calendar?year=2028')).status).toBe(404);
    sim.setCalendarYears(defaultSimCalendarYears().filter((y) => y.year !== 2027));
    expect((await get('/v1/calendar?year=2027')).status).toBe(404);
    sim.setCalendarYears(defaultSimCalendarYears());
  });
});
