import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHash } from '../../../src/domain/canonical.js';
import type { PlatformRecord } from '../../../src/domain/record.js';
import {
  DEMO_DEVICE_ID,
  DEMO_DEVICE_SECRET,
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

describe('platform simulator: §2 rules, dedupe, chain, appeals', () => {
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

  const post = async (
    batchId: string,
    records: unknown[],
  ): Promise<{ status: number; results: Result[] }> => {
    const res = await client.request(
      'POST',
      '/v1/evaluations:batch',
      Buffer.from(JSON.stringify({ batchId, records })),
    );
    const body = JSON.parse(res.body.toString() || '{}') as { results?: Result[] };
    return { status: res.status, results: body.results ?? [] };
  };
  const reseal = (
    r: Record<string, unknown>,
  ): Record<string, unknown> & { hash: string; evaluationId: string } =>
    ({ ...r, hash: recordHash(r) }) as Record<string, unknown> & { hash: string; evaluationId: string };

  it('validates fields per §2, including the 差评 reason rule', () => {
    const [good] = seedRecords(db, 1, { from: 9000 }) as [PlatformRecord];
    expect(validateRecord(good as unknown as Record<string, unknown>)).toBeNull();
    const bad = (patch: Record<string, unknown>, drop: string[] = []) => {
      const r: Record<string, unknown> = { ...good, ...patch };
      for (const d of drop) delete r[d];
      return validateRecord(reseal(r));
    };
    expect(bad({ satisfaction: 2 })).toMatch(/^evalDetail: required when satisfaction <= 2/);
    expect(bad({ satisfaction: 2, writingEvaluation: '排队太久' })).toBeNull();
    expect(bad({ satisfaction: 1, evalDetail: '115' })).toMatch(/^normVersion/);
    expect(bad({ satisfaction: 1, evalDetail: '115', normVersion: 'n' })).toBeNull();
    expect(bad({ satisfaction: 6 })).toMatch(/^satisfaction/);
    expect(bad({ pf: '3' })).toMatch(/^pf/);
    expect(bad({ projectNo: 'x'.repeat(51) })).toMatch(/^projectNo/);
    expect(bad({ serviceNumber: 0 })).toMatch(/^serviceNumber/);
    expect(bad({}, ['assessTime'])).toMatch(/^assessTime/);
    expect(bad({ status: 'unrated' })).toMatch(/not allowed when unrated/);
    expect(bad({ writingEvaluation: 'x'.repeat(501) })).toMatch(/^writingEvaluation/);
    expect(bad({ extra: 1 })).toMatch(/^extra: unknown field/);
    expect(bad({ groupType: 'batch' })).toMatch(/^groupType/);
    expect(validateRecord({ ...good, satisfaction: 4 } as unknown as Record<string, unknown>)).toMatch(
      /^hash: does not match/,
    );
  });

  it('dedupes by evaluationId: duplicate for the same content, conflict for other content; already_rated per case', async () => {
    const [a, b] = [makeUnsealed(1, {}, Date.UTC(2026, 8, 30)), makeUnsealed(2, { projectNo: 'P-SAME' })];
    const ra = { ...a, deviceSeq: 1, prevHash: '0'.repeat(64) } as Record<string, unknown>;
    const sa = reseal(ra);
    const rb = reseal({ ...b, deviceSeq: 2, prevHash: sa.hash });
    const first = await post('b-1', [sa, rb]);
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const again = await post('b-2', [sa]);
    expect(again.results[0]).toEqual({ evaluationId: sa.evaluationId, status: 'duplicate' });
    const changed = reseal({ ...ra, satisfaction: 4 });
    expect((await post('b-3', [changed])).results[0]).toMatchObject({ status: 'rejected', code: 'conflict' });
    const sameCase = reseal({ ...makeUnsealed(3, { projectNo: 'P-SAME' }), deviceSeq: 3, prevHash: rb.hash });
    expect((await post('b-4', [sameCase])).results[0]).toMatchObject({
      status: 'rejected',
      code: 'already_rated',
    });
    const sameCaseUnrated = reseal({
      ...makeUnsealed(4, { projectNo: 'P-SAME', satisfaction: null }),
      deviceSeq: 4,
      prevHash: sameCase.hash,
    });
    expect((await post('b-5', [sameCaseUnrated])).results[0]).toMatchObject({ status: 'accepted' });
    const otherService = reseal({
      ...makeUnsealed(5, { projectNo: 'P-SAME', serviceNumber: 2 }),
      deviceSeq: 5,
      prevHash: sameCaseUnrated.hash,
    });
    expect((await post('b-6', [otherService])).results[0]).toMatchObject({ status: 'accepted' });
    // The same batchId gets the same results, even with other records in it.
    expect(await post('b-1', [changed])).toEqual(first);
    expect(sim.stats().chainBreaks).toEqual([]);
  });

  it('reports a prevHash break in stats without rejecting', async () => {
    const r = reseal({ ...makeUnsealed(50), deviceSeq: 9, prevHash: 'f'.repeat(64) });
    expect((await post('b-break', [r])).results[0]?.status).toBe('accepted');
    expect(sim.stats().chainBreaks).toEqual([
      expect.objectContaining({
        deviceId: DEMO_DEVICE_ID,
        deviceSeq: 9,
        expectedSeq: 6,
        gotPrev: 'f'.repeat(64),
      }),
    ]);
  });

  it('400 for a body that is not a batch; 413 above 500 records', async () => {
    expect((await post('', [])).status).toBe(400);
    expect((await client.request('POST', '/v1/evaluations:batch', Buffer.from('not json'))).status).toBe(400);
    expect((await post('b-x', [1, 2])).status).toBe(400);
    const many = Array.from({ length: 501 }, (_, i) => ({ evaluationId: `M${i}` }));
    expect((await post('b-many', many)).status).toBe(413);
  });

  it('appeals: accepted within 3 working days (holidays counted), else deadline_passed; duplicate on resend', async () => {
    // A 差评 on 2026-09-30: the National Day holiday follows; 3 working days run to 2026-10-10 (a make-up Saturday).
    const bad = reseal({
      ...makeUnsealed(60, { satisfaction: 1 }, Date.UTC(2026, 8, 30, 2)),
      deviceSeq: 10,
      prevHash: 'a'.repeat(64),
    });
    expect((await post('b-appeal', [bad])).results[0]?.status).toBe('accepted');
    const appeal = async (
      appealId: string,
      submittedTime: string,
      evaluationId = bad.evaluationId as string,
    ) => {
      const res = await client.request(
        'POST',
        '/v1/appeals',
        Buffer.from(
          JSON.stringify({
            appealId,
            evaluationId,
            staffId: 'T0107',
            reason: '群众误解办理时限',
            submittedTime,
          }),
        ),
      );
      return JSON.parse(res.body.toString()) as { status: string; code?: string };
    };
    expect(await appeal('A-late', '2026-10-11 09:00:00')).toEqual({
      status: 'rejected',
      code: 'deadline_passed',
    });
    expect(await appeal('A-1', '2026-10-10 16:00:00')).toEqual({ status: 'accepted' });
    expect(await appeal('A-1', '2026-10-10 16:00:00')).toEqual({ status: 'duplicate' });
    expect(await appeal('A-2', '2026-10-09 10:00:00', 'NOPE')).toEqual({
      status: 'rejected',
      code: 'unknown_evaluation',
    });
  });
});
