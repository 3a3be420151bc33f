import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startWindowApi, type WindowApiCore } from '../../../src/host/window-api.js';
import { padCertificate } from '../../../src/host/tls-cert.js';
import { tempDir } from '../../helpers/tmp.js';

const TOKEN = 'lan-test-token-0123456789abcdef';
const core: WindowApiCore = {
  startEvaluation: () => Promise.resolve({ evaluationId: 'E1' }),
  evaluationState: () => null,
  cancelEvaluation: () => undefined,
  printReceipt: () => Promise.resolve({ copy: false }),
  status: () => ({ ok: true }),
};
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function start(extra: Partial<Parameters<typeof startWindowApi>[0]> = {}) {
  const api = await startWindowApi({
    core,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    rateLimitPerS: 10,
    log: () => undefined,
    ...extra,
  });
  closers.push(() => api.close());
  return api;
}

function get(
  url: string,
  opts: { token?: string; localAddress?: string; fingerprint?: string } = {},
): Promise<{ status: number; peerFingerprint: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url + '/v1/status',
      {
        headers: { Authorization: `Bearer ${opts.token ?? TOKEN}` },
        rejectUnauthorized: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        agent: false,
      },
      (res) => {
        const cert = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, peerFingerprint: cert?.fingerprint256 ?? null }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function plain(url: string, token = TOKEN): Promise<number> {
  const res = await fetch(url + '/v1/status', { headers: { Authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

describe('the window API on a LAN (finding: plain HTTP, no allow-list)', () => {
  it('serves TLS with the pad’s own certificate; the fingerprint clients pin is the one shown', async () => {
    const tmp = tempDir();
    closers.push(tmp.cleanup);
    const cert = await padCertificate(tmp.dir, 'PAD-0012');
    expect(new X509Certificate(cert.cert).subject).toContain('PAD-0012');
    const again = await padCertificate(tmp.dir, 'PAD-0012');
    expect(again.fingerprint256).toBe(cert.fingerprint256); // made once, kept
    const api = await start({ tls: cert });
    expect(api.url).toMatch(/^https:/);
    const r = await get(api.url);
    expect(r.status).toBe(200);
    expect(r.peerFingerprint).toBe(cert.fingerprint256);
    // plain HTTP on the TLS port gets nothing useful
    await expect(plain(api.url.replace('https', 'http'))).rejects.toThrow();
  });

  it('drops a client not on the allow-list before the TLS handshake', async () => {
    const tmp = tempDir();
    closers.push(tmp.cleanup);
    const cert = await padCertificate(tmp.dir, 'PAD-0012');
    const api = await start({ tls: cert, allow: ['127.0.0.2'] });
    await expect(get(api.url)).rejects.toThrow(); // from 127.0.0.1: refused
    expect((await get(api.url, { localAddress: '127.0.0.2' })).status).toBe(200);
    const cidr = await start({ tls: cert, allow: ['127.0.0.0/30'] });
    expect((await get(cidr.url)).status).toBe(200);
  });
});

describe('rate limits, time-outs and the connection cap (finding: per address, fixed window, before auth)', () => {
  it('strangers’ 401s do not use up the token’s allowance', async () => {
    const api = await start({ rateLimitPerS: 5 });
    for (let i = 0; i < 20; i++) expect(await plain(api.url, 'wrong-token-wrong-token')).toBe(401);
    expect(await plain(api.url)).toBe(200);
  });

  it('per token, sliding: no burst of 2× the limit around a second boundary', async () => {
    const api = await start({ rateLimitPerS: 5 });
    expect(await plain(api.url, 'warm-up-wrong-token-xx')).toBe(401); // connection pool warm
    // 5 requests ~300 ms before a calendar second ends, 5 more just after it: a fixed window
    // lets all ten through, a sliding one only the first five.
    const wait = (1000 - (Date.now() % 1000) + 700) % 1000;
    await new Promise((r) => setTimeout(r, wait));
    const edge = Math.ceil(Date.now() / 1000) * 1000;
    const first = await Promise.all(Array.from({ length: 5 }, () => plain(api.url)));
    expect(Date.now()).toBeLessThan(edge); // the first five really were before the edge
    await new Promise((r) => setTimeout(r, edge - Date.now() + 50));
    const second = await Promise.all(Array.from({ length: 5 }, () => plain(api.url)));
    expect(first.every((s) => s === 200)).toBe(true);
    expect(second.filter((s) => s === 429).length).toBe(5);
  });

  it('a global cap counts every request, authenticated or not', async () => {
    const api = await start({ rateLimitPerS: 1000, globalRateLimitPerS: 8 });
    const all = await Promise.all(
      Array.from({ length: 12 }, (_, i) => plain(api.url, i % 2 ? TOKEN : 'wrong-token-xxxxxxxx')),
    );
    expect(all.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
  });

  it('a client that never finishes its headers is cut off by the header time-out', async () => {
    const api = await start({ limits: { headersTimeoutMs: 600, requestTimeoutMs: 1000 } });
    const port = Number(new URL(api.url).port);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      let out = '';
      s.on('data', (d) => (out += d.toString()));
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
      s.write('GET /v1/status HTTP/1.1\r\nHost: pad\r\n'); // and then nothing
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('connections beyond the cap are refused; the pad still answers after they go', async () => {
    const api = await start({ limits: { maxConnections: 4 } });
    const port = Number(new URL(api.url).port);
    const held = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<import('node:net').Socket>((r) => {
            const s = netConnect(port, '127.0.0.1', () => r(s));
          }),
      ),
    );
    const extra = await new Promise<string>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.on('close', () => resolve('closed'));
      s.on('error', () => resolve('closed'));
      s.on('connect', () => s.write('GET /v1/status HTTP/1.1\r\nHost: pad\r\n\r\n'));
      s.on('data', () => resolve('answered'));
    });
    expect(extra).toBe('closed');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await plain(api.url)).toBe(200);
  });

  it('TLS garbage from an allowed client closes that connection only', async () => {
    const tmp = tempDir();
    closers.push(tmp.cleanup);
    const api = await start({ tls: await padCertificate(tmp.dir, 'PAD-0012') });
    const port = Number(new URL(api.url).port);
    await new Promise<void>((resolve) => {
      const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, maxVersion: 'TLSv1.1' });
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    expect((await get(api.url)).status).toBe(200);
  });
});
