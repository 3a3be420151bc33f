import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSm3, Sm3, sm3 } from '../../../src/sync/sm3.js';

describe('SM3 (GB/T 32905-2016)', () => {
  it('matches the standard example 1 ("abc")', () => {
    expect(sm3('abc').toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  it('matches the standard example 2 (64 bytes "abcd" x16)', () => {
    expect(sm3('abcd'.repeat(16)).toString('hex')).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('hashes the empty string as node does', () => {
    expect(sm3('').toString('hex')).toBe(createHash('sm3').update('').digest('hex'));
  });

  it('agrees with node crypto for every length around the padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const data = Buffer.alloc(n, n & 0xff);
      expect(sm3(data).toString('hex'), `length ${n}`).toBe(createHash('sm3').update(data).digest('hex'));
    }
  });

  it('agrees with node crypto on random inputs fed in random pieces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(300), { maxLength: 8 }),
        (bytes, cuts) => {
          const data = Buffer.from(bytes);
          const h = new Sm3();
          let at = 0;
          for (const c of cuts) {
            const end = Math.min(data.length, at + c);
            h.update(data.subarray(at, end));
            at = end;
          }
          h.update(data.subarray(at));
          expect(h.digest().toString('hex')).toBe(createHash('sm3').update(data).digest('hex'));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hashes UTF-8 text (Chinese) as node does', () => {
    const text = '泰安市政务服务中心 好差评 ' + 'x'.repeat(100);
    expect(sm3(text).toString('hex')).toBe(createHash('sm3').update(text, 'utf8').digest('hex'));
  });

  it('HMAC-SM3 agrees with node for short, block-sized and long keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 500 }), (key, data) => {
        expect(hmacSm3(key, data).toString('hex')).toBe(createHmac('sm3', key).update(data).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to be used after digest', () => {
    const h = new Sm3();
    h.digest();
    expect(() => h.update('x')).toThrow();
  });
});
