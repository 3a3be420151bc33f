import { describe, expect, it } from 'vitest';
import { BodyBuilder, bodyBytes } from '../../../src/sync/prepared-body.js';
import { bodyDigest, bodyHasher, signRequest, verifySignature } from '../../../src/sync/signing.js';

const KEY = Buffer.alloc(32, 7);

/** A batch body in the pieces the uploader appends: envelope, one part a slice, closing. */
function pieces(): Buffer[] {
  const records = Array.from({ length: 7 }, (_, i) => `{"evaluationId":"E${i}","staffName":"李明","n":${i}}`);
  return [
    Buffer.from('{"batchId":"b1","records":['),
    Buffer.from(records.slice(0, 3).join(','), 'utf8'),
    Buffer.from(',' + records.slice(3).join(','), 'utf8'),
    Buffer.from(']}'),
  ];
}

describe('a body built a piece at a time (prepared-body.ts)', () => {
  for (const algorithm of ['hmac-sha256', 'hmac-sm3'] as const) {
    it(`${algorithm}: its digest is the digest of the whole body, and it signs as the body does`, () => {
      const b = new BodyBuilder(bodyHasher(algorithm));
      for (const p of pieces()) b.append(p);
      const body = b.finish();
      const whole = Buffer.concat(pieces());
      expect(bodyBytes(body).equals(whole)).toBe(true);
      expect(body.length).toBe(whole.length);
      expect(body.digest).toBe(bodyDigest(algorithm, whole));
      const opts = {
        algorithm,
        key: KEY,
        deviceId: 'D',
        method: 'POST',
        pathWithQuery: '/v1/evaluations:batch',
        timeMs: 1764300000000,
        nonce: '000102030405060708090a0b0c0d0e0f',
      };
      const fromDigest = signRequest({ ...opts, body });
      expect(fromDigest).toEqual(signRequest({ ...opts, body: whole }));
      expect(
        verifySignature(
          fromDigest['X-HCP-Signature'],
          KEY,
          'POST',
          '/v1/evaluations:batch',
          fromDigest['X-HCP-Time'],
          fromDigest['X-HCP-Nonce'],
          whole,
        ),
      ).toBe(true);
    });
  }

  it('is finished once, and nothing is appended after', () => {
    const b = new BodyBuilder(bodyHasher('hmac-sha256'));
    b.append(Buffer.from('{}'));
    b.finish();
    expect(() => b.finish()).toThrow();
    expect(() => b.append(Buffer.from(' '))).toThrow();
  });
});
