import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  issueReceiptToken,
  parseReceiptQrUrl,
  receiptQrUrl,
  verifyReceiptToken,
} from '../../../src/domain/receipt-token.js';

// 32 bytes of 0xaa; the expected MAC below was computed with openssl, independently of our code:
// printf '370900-2026-000123\n1\nPAD-0001\n1764300000' | openssl dgst -sha256 -mac HMAC \
//   -macopt hexkey:aa…aa -binary | basenc --base64url | tr -d = | cut -c1-16
const SECRET = 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=';
const base = {
  projectNo: '370900-2026-000123',
  serviceNumber: 1,
  deviceId: 'PAD-0001',
  deviceSecretB64: SECRET,
};

describe('receipt token (platform-api §6)', () => {
  it('matches an independently computed vector', () => {
    expect(issueReceiptToken({ ...base, issuedEpochSeconds: 1764300000 })).toBe(
      '6iu2hde6y4FsYxIt.1764300000',
    );
  });

  it('verifies its own tokens and refuses any changed field', () => {
    const token = issueReceiptToken({ ...base, issuedEpochSeconds: 1764300000 });
    expect(verifyReceiptToken({ ...base, token })).toEqual({ ok: true, issuedEpochSeconds: 1764300000 });
    expect(verifyReceiptToken({ ...base, projectNo: '370900-2026-000124', token }).ok).toBe(false);
    expect(verifyReceiptToken({ ...base, serviceNumber: 2, token }).ok).toBe(false);
    expect(verifyReceiptToken({ ...base, deviceId: 'PAD-0002', token }).ok).toBe(false);
    expect(verifyReceiptToken({ ...base, token: token.replace('.1764300000', '.1764300001') })).toEqual({
      ok: false,
      reason: 'bad_mac',
    });
    const other = Buffer.alloc(32, 0xbb).toString('base64');
    expect(verifyReceiptToken({ ...base, deviceSecretB64: other, token })).toEqual({
      ok: false,
      reason: 'bad_mac',
    });
  });

  it('refuses malformed tokens and enforces age only when asked', () => {
    for (const token of [
      '',
      'abc',
      '6iu2hde6y4FsYxIt',
      '6iu2hde6y4FsYxIt.',
      '6iu2hde6y4FsYxI.1764300000',
      '6iu2hde6y4FsYxIt.01',
      '6iu2hde6y4FsYx+t.1',
    ]) {
      expect(verifyReceiptToken({ ...base, token }).ok, token).toBe(false);
    }
    const token = '6iu2hde6y4FsYxIt.1764300000';
    expect(
      verifyReceiptToken({
        ...base,
        token,
        nowEpochSeconds: 1764300000 + 86400 * 31,
        maxAgeSeconds: 86400 * 30,
      }),
    ).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      verifyReceiptToken({ ...base, token, nowEpochSeconds: 1764300000 - 3600, maxAgeSeconds: 86400 }),
    ).toEqual({ ok: false, reason: 'future' });
  });

  it('rejects a secret that is not 32 bytes', () => {
    expect(() =>
      issueReceiptToken({
        ...base,
        deviceSecretB64: Buffer.alloc(16).toString('base64'),
        issuedEpochSeconds: 1,
      }),
    ).toThrow();
  });

  it('round-trips and detects a one-character change (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.nat(15),
        (projectNo, serviceNumber, secret, issued, pos) => {
          const args = {
            projectNo,
            serviceNumber,
            deviceId: 'PAD-0001',
            deviceSecretB64: Buffer.from(secret).toString('base64'),
          };
          const token = issueReceiptToken({ ...args, issuedEpochSeconds: issued });
          expect(token).toMatch(/^[A-Za-z0-9_-]{16}\.\d+$/);
          expect(verifyReceiptToken({ ...args, token })).toEqual({ ok: true, issuedEpochSeconds: issued });
          const c = token[pos]!;
          const flipped = token.slice(0, pos) + (c === 'A' ? 'B' : 'A') + token.slice(pos + 1);
          expect(verifyReceiptToken({ ...args, token: flipped }).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('builds the QR URL of §6 and parses it back', () => {
    const token = '6iu2hde6y4FsYxIt.1764300000';
    const url = receiptQrUrl('https://hcp.example.gov.cn/e', { ...base, token });
    expect(url).toBe(
      'https://hcp.example.gov.cn/e?p=370900-2026-000123&s=1&d=PAD-0001&t=6iu2hde6y4FsYxIt.1764300000',
    );
    expect(parseReceiptQrUrl(url)).toEqual({
      evaluationUrl: 'https://hcp.example.gov.cn/e',
      projectNo: base.projectNo,
      serviceNumber: 1,
      deviceId: 'PAD-0001',
      token,
    });
    const odd = receiptQrUrl('https://x.cn/e?city=tai', {
      projectNo: 'A&B 办',
      serviceNumber: 3,
      deviceId: 'P 1',
      token,
    });
    expect(odd.startsWith('https://x.cn/e?city=tai&p=A%26B%20')).toBe(true);
    expect(parseReceiptQrUrl(odd)).toMatchObject({
      projectNo: 'A&B 办',
      serviceNumber: 3,
      deviceId: 'P 1',
      token,
    });
    expect(() => receiptQrUrl('not a url', { ...base, token })).toThrow();
  });
});
