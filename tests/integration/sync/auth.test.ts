import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_DEVICE_ID,
  DEMO_DEVICE_SECRET,
  startPlatformSim,
  type PlatformSim,
} from '../../../platform-sim/index.js';
import { ClockOffset } from '../../../src/store/clock-offset.js';
import { PlatformClient } from '../../../src/sync/http.js';
import { signRequest, type SignatureAlgorithm } from '../../../src/sync/signing.js';
import type { Db } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/tmp.js';
import { openPadDb } from '../../unit/sync/fixtures.js';

const KEY = Buffer.from(DEMO_DEVICE_SECRET, 'base64');

function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string; serverTime: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + path,
      { method, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            serverTime: Number(res.headers['x-hcp-server-time']),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('signature, skew and replay checks against the simulator', () => {
  let sim: PlatformSim;
  let db: Db;
  let cleanup: () => void;
  beforeAll(async () => {
    sim = await startPlatformSim({
      devices: [{ deviceId: 'PAD-OFF', secret: DEMO_DEVICE_SECRET, windowNo: '05', enabled: false }],
    });
    const t = tempDir();
    cleanup = t.cleanup;
    db = openPadDb(t.dir);
  });
  afterAll(async () => {
    await sim.close();
    db.close();
    cleanup();
  });

  const signed = (o: {
    alg?: SignatureAlgorithm;
    path?: string;
    time?: number;
    nonce?: string;
    device?: string;
    key?: Buffer;
    body?: string;
    method?: string;
  }) =>
    signRequest({
      algorithm: o.alg ?? 'hmac-sha256',
      key: o.key ?? KEY,
      deviceId: o.device ?? DEMO_DEVICE_ID,
      method: o.method ?? 'GET',
      pathWithQuery: o.path ?? '/v1/norms',
      body: Buffer.from(o.body ?? ''),
      timeMs: o.time ?? Date.now(),
      ...(o.nonce ? { nonce: o.nonce } : {}),
    }) as unknown as Record<string, string>;

  it.each(['hmac-sha256', 'hmac-sm3'] as const)(
    'the pad client and the simulator agree on %s',
    async (alg) => {
      const offset = new ClockOffset(db, { now: () => Date.now() });
      const client = new PlatformClient({
        baseUrl: sim.url,
        deviceId: DEMO_DEVICE_ID,
        key: KEY,
        algorithm: alg,
        timeoutMs: 3000,
        offset,
        padClock: { now: () => Date.now() },
      });
      const res = await client.request('GET', '/v1/tasks?hallCode=H370900001');
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body.toString()) as { items: unknown[] }).items.length).toBe(14);
      const post = await client.request(
        'POST',
        '/v1/evaluations:batch',
        Buffer.from('{"batchId":"x","records":"no"}'),
      );
      expect(post.status).toBe(400); // signature accepted, body refused
      client.close();
    },
  );

  it('every answer carries X-HCP-Server-Time', async () => {
    const r = await raw(sim.url, 'GET', '/v1/norms', {});
    expect(r.status).toBe(401);
    expect(Math.abs(r.serverTime - Date.now())).toBeLessThan(5000);
  });

  it('refuses a wrong key, a wrong path and a missing header as bad_signature', async () => {
    expect((await raw(sim.url, 'GET', '/v1/norms', signed({ key: Buffer.alloc(32, 1) }))).body).toBe(
      '{"error":"bad_signature"}',
    );
    expect((await raw(sim.url, 'GET', '/v1/norms', signed({ path: '/v1/tasks' }))).status).toBe(401);
    const h = signed({});
    delete h['X-HCP-Nonce'];
    expect((await raw(sim.url, 'GET', '/v1/norms', h)).body).toContain('bad_signature');
    expect((await raw(sim.url, 'GET', '/v1/norms', signed({ device: 'NOBODY' }))).status).toBe(401);
  });

  it('refuses a request more than 300 s off as clock_skew, accepts 290 s', async () => {
    const late = await raw(sim.url, 'GET', '/v1/norms', signed({ time: Date.now() - 301_000 }));
    expect(late.status).toBe(401);
    expect(late.body).toBe('{"error":"clock_skew"}');
    const early = await raw(sim.url, 'GET', '/v1/norms', signed({ time: Date.now() + 301_000 }));
    expect(early.body).toContain('clock_skew');
    expect((await raw(sim.url, 'GET', '/v1/norms', signed({ time: Date.now() - 290_000 }))).status).toBe(200);
  });

  it('refuses a nonce seen before as replay (same headers sent twice)', async () => {
    const h = signed({});
    expect((await raw(sim.url, 'GET', '/v1/norms', h)).status).toBe(200);
    const again = await raw(sim.url, 'GET', '/v1/norms', h);
    expect(again.status).toBe(401);
    expect(again.body).toBe('{"error":"replay"}');
    expect(sim.stats().auth.replay).toBeGreaterThanOrEqual(1);
  });

  it('answers 403 device_disabled for a disabled device with a good signature', async () => {
    const r = await raw(sim.url, 'GET', '/v1/norms', signed({ device: 'PAD-OFF' }));
    expect(r.status).toBe(403);
    expect(r.body).toBe('{"error":"device_disabled"}');
  });
});
