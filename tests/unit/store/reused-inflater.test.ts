import * as zlib from 'node:zlib';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical.js';
import { packBody, unpackBody, UnreadableBodyError } from '../../../src/store/record-codec.js';
import { reusedInflater } from '../../../src/store/reused-inflater.js';
import { variedRecord } from '../../integration/store/chain-fixture.js';

/** What the public API says of `packed` (a version byte, then raw DEFLATE): text, or the error. */
function publicAnswer(packed: Buffer, dictionary: Buffer): string {
  try {
    return inflateRawSync(packed.subarray(1), { dictionary }).toString('utf8');
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

/** A small deterministic generator, so a failure names a reproducible case. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const DICT = Buffer.from(
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","deviceSeq":"hallCode":"H"',
  'utf8',
);
const bodies = Array.from({ length: 300 }, (_, i) =>
  canonicalJson({ ...variedRecord(i, Date.UTC(2026, 10, 1) + i * 61_000), deviceSeq: i + 1 }),
);

describe('the decoder kept between records (decision 205)', () => {
  it('gives the public API’s text for every record, again and again on one handle', () => {
    const inflater = reusedInflater(zlib, DICT);
    for (const text of bodies) {
      const packed = deflateRawSync(text, { level: 9, dictionary: DICT });
      expect(inflater.inflate(packed, 0, packed.length)).toBe(text);
    }
  });

  it('never gives a text the public API would not: damaged, cut and over-long streams decline or agree', () => {
    const inflater = reusedInflater(zlib, DICT);
    const rand = lcg(20261203);
    let declined = 0;
    let agreed = 0;
    for (let n = 0; n < 4000; n++) {
      const text = bodies[n % bodies.length] as string;
      const packed = Buffer.concat([Buffer.from([1]), deflateRawSync(text, { level: 9, dictionary: DICT })]);
      const damaged = Buffer.from(packed);
      const kind = n % 4;
      let input: Buffer = damaged;
      if (kind === 0) damaged[1 + Math.floor(rand() * (damaged.length - 1))]! ^= 1 << Math.floor(rand() * 8);
      else if (kind === 1)
        for (let k = 0; k < 3; k++)
          damaged[1 + Math.floor(rand() * (damaged.length - 1))] = Math.floor(rand() * 256);
      else if (kind === 2) input = damaged.subarray(0, 1 + Math.floor(rand() * (damaged.length - 1)));
      else input = Buffer.concat([damaged, Buffer.from([Math.floor(rand() * 256), 7])]);
      const fast = inflater.inflate(input, 1, input.length);
      const reference = publicAnswer(input, DICT);
      if (fast === null) declined++;
      else {
        expect(fast, `case ${n}`).toBe(reference);
        agreed++;
      }
      // and the handle still decodes a sound record after whatever happened
      expect(inflater.inflate(packed, 1, packed.length)).toBe(text);
    }
    // both paths were taken: damage that still decodes, and damage the handle reports
    expect(declined).toBeGreaterThan(100);
    expect(agreed).toBeGreaterThan(100);
  });

  it('declines a text longer than its buffer, which the public API then unpacks', () => {
    const inflater = reusedInflater(zlib, DICT);
    const long = `{"pad":"${'雨'.repeat(30_000)}"}`;
    const packed = deflateRawSync(long, { level: 9, dictionary: DICT });
    expect(inflater.inflate(packed, 0, packed.length)).toBeNull();
    expect(unpackBody(packBody(long))).toBe(long);
  });

  it('unpackBody keeps its answers: the text for a sound body, UnreadableBodyError with zlib’s reason for a damaged one', () => {
    for (const text of bodies.slice(0, 50)) expect(unpackBody(packBody(text))).toBe(text);
    const cut = packBody(bodies[0] as string).subarray(0, 40);
    expect(() => unpackBody(cut)).toThrow(UnreadableBodyError);
    expect(() => unpackBody(cut)).toThrow(/unexpected end of file/);
  });
});
