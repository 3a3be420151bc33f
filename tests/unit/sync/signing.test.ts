import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../../src/sync/backoff.js';
import {
  computeSignature,
  decodeSecret,
  signRequest,
  stringToSign,
  verifySignature,
} from '../../../src/sync/signing.js';

const SECRET = 'UV0ZwEYChEC5xygz95iHzT47TTPdTRmtObg10r0HS6k=';
const KEY = Buffer.from(SECRET, 'base64');
const BODY = Buffer.from('{"batchId":"b1","records":[]}', 'utf8');

describe('request signing (docs/protocols/platform-api.md §1)', () => {
  it('builds the string to sign exactly as the contract says', () => {
    expect(stringToSign('post', '/v1/evaluations:batch', '1764300000000', 'ab'.repeat(16), 'd')).toBe(
      'POST\n/v1/evaluations:batch\n1764300000000\n' + 'ab'.repeat(16) + '\nd',
    );
  });

  it('hmac-sha256: matches an independent computation', () => {
    const nonce = '00112233445566778899aabbccddeeff';
    const digest = createHash('sha256').update(BODY).digest('hex');
    const expected = createHmac('sha256', KEY)
      .update(`POST\n/v1/evaluations:batch\n1764300000000\n${nonce}\n${digest}`)
      .digest('hex');
    expect(
      computeSignature('hmac-sha256', KEY, 'POST', '/v1/evaluations:batch', '1764300000000', nonce, BODY),
    ).toBe(`hmac-sha256:${expected}`);
  });

  it('hmac-sm3: matches node crypto (the JS SM3 is only needed under Electron)', () => {
    const nonce = 'ffeeddccbbaa99887766554433221100';
    const digest = createHash('sm3').update(BODY).digest('hex');
    const expected = createHmac('sm3', KEY)
      .update(`POST\n/v1/evaluations:batch\n1764300000000\n${nonce}\n${digest}`)
      .digest('hex');
    expect(
      computeSignature('hmac-sm3', KEY, 'POST', '/v1/evaluations:batch', '1764300000000', nonce, BODY),
    ).toBe(`hmac-sm3:${expected}`);
  });

  it('GET signs the digest of the empty body', () => {
    const nonce = '0'.repeat(32);
    const digest = createHash('sha256').update('').digest('hex');
    expect(digest).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const expected = createHmac('sha256', KEY)
      .update(`GET\n/v1/staff?hallCode=H370900001\n1\n${nonce}\n${digest}`)
      .digest('hex');
    expect(
      computeSignature(
        'hmac-sha256',
        KEY,
        'GET',
        '/v1/staff?hallCode=H370900001',
        '1',
        nonce,
        Buffer.alloc(0),
      ),
    ).toBe(`hmac-sha256:${expected}`);
  });

  it('signRequest makes a fresh 16-byte hex nonce per request', () => {
    const a = signRequest({
      algorithm: 'hmac-sha256',
      key: KEY,
      deviceId: 'D',
      method: 'GET',
      pathWithQuery: '/v1/norms',
      body: Buffer.alloc(0),
      timeMs: 5,
    });
    const b = signRequest({
      algorithm: 'hmac-sha256',
      key: KEY,
      deviceId: 'D',
      method: 'GET',
      pathWithQuery: '/v1/norms',
      body: Buffer.alloc(0),
      timeMs: 5,
    });
    expect(a['X-HCP-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['X-HCP-Nonce']).not.toBe(b['X-HCP-Nonce']);
    expect(a['X-HCP-Signature']).not.toBe(b['X-HCP-Signature']);
  });

  it('verifySignature accepts both algorithms and catches every tampered part', () => {
    for (const alg of ['hmac-sha256', 'hmac-sm3'] as const) {
      const h = signRequest({
        algorithm: alg,
        key: KEY,
        deviceId: 'D',
        method: 'POST',
        pathWithQuery: '/v1/appeals',
        body: BODY,
        timeMs: 1000,
      });
      const ok = (
        over: Partial<{
          method: string;
          path: string;
          time: string;
          nonce: string;
          body: Buffer;
          key: Buffer;
        }> = {},
      ) =>
        verifySignature(
          h['X-HCP-Signature'],
          over.key ?? KEY,
          over.method ?? 'POST',
          over.path ?? '/v1/appeals',
          over.time ?? h['X-HCP-Time'],
          over.nonce ?? h['X-HCP-Nonce'],
          over.body ?? BODY,
        );
      expect(ok()).toBe(true);
      expect(ok({ method: 'GET' })).toBe(false);
      expect(ok({ path: '/v1/appeals?x=1' })).toBe(false);
      expect(ok({ time: '1001' })).toBe(false);
      expect(ok({ nonce: '1'.repeat(32) })).toBe(false);
      expect(ok({ body: Buffer.from(BODY.toString() + ' ') })).toBe(false);
      expect(ok({ key: Buffer.alloc(32) })).toBe(false);
    }
    expect(verifySignature('md5:abc', KEY, 'GET', '/', '1', 'n', Buffer.alloc(0))).toBe(false);
  });

  it('decodeSecret insists on 32 bytes of canonical base64', () => {
    expect(decodeSecret(SECRET).length).toBe(32);
    expect(() => decodeSecret(Buffer.alloc(16).toString('base64'))).toThrow();
    expect(() => decodeSecret('not base64!')).toThrow();
  });
});

describe('back-off', () => {
  it('uses full jitter under an exponential ceiling from 1 s capped at 5 min', () => {
    expect(backoffDelay(1, undefined, () => 0.999999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(2, undefined, () => 0.999999)).toBeGreaterThan(1000);
    expect(backoffDelay(4, undefined, () => 1)).toBe(8000);
    expect(backoffDelay(30, undefined, () => 1)).toBe(300_000);
    expect(backoffDelay(10_000, undefined, () => 1)).toBe(300_000);
    expect(backoffDelay(5, undefined, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or a date, capped at an hour', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(undefined, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter('999999', 0)).toBe(3_600_000);
    const now = Date.parse('2026-09-30T00:00:00Z');
    expect(parseRetryAfter('Wed, 30 Sep 2026 00:00:10 GMT', now)).toBe(10_000);
  });
});
