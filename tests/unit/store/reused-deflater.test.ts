import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical.js';
import { BODY_PACKING as PACK, packBody, unpackBody } from '../../../src/store/record-codec.js';
import { reusedDeflater, type DeflateZlibApi } from '../../../src/store/reused-deflater.js';
import { variedRecord } from '../../integration/store/chain-fixture.js';

const DICT = Buffer.from(
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","deviceSeq":"hallCode":"H"',
  'utf8',
);
const bodies = Array.from({ length: 300 }, (_, i) =>
  canonicalJson({ ...variedRecord(i, Date.UTC(2026, 10, 1) + i * 61_000), deviceSeq: i + 1 }),
);

describe('the encoder kept between records (decision 221)', () => {
  it('packs every record byte for byte as deflateRawSync does, again and again on one handle', () => {
    const deflater = reusedDeflater(DICT, PACK);
    for (const text of bodies) {
      const packed = deflater.deflate(text);
      expect(packed).not.toBeNull();
      expect(packed?.equals(deflateRawSync(text, { ...PACK, dictionary: DICT }))).toBe(true);
      expect(inflateRawSync(packed as Buffer, { dictionary: DICT }).toString('utf8')).toBe(text);
    }
  });

  it('answers a copy: the next record does not change what the last one got', () => {
    const deflater = reusedDeflater(DICT, PACK);
    const first = deflater.deflate(bodies[0] as string) as Buffer;
    const kept = Buffer.from(first);
    deflater.deflate(bodies[1] as string);
    expect(first.equals(kept)).toBe(true);
  });

  it('declines a text whose packing does not fit its buffer, which deflateRawSync then packs', () => {
    const deflater = reusedDeflater(DICT, PACK);
    // random bytes do not compress: 96 KB of them (as base64) cannot fit a 64 KB buffer
    const noise = randomBytes(96 * 1024).toString('base64');
    expect(deflater.deflate(noise)).toBeNull();
    // and the handle still packs a record after it
    const text = bodies[5] as string;
    expect(deflater.deflate(text)?.equals(deflateRawSync(text, { ...PACK, dictionary: DICT }))).toBe(true);
    expect(unpackBody(packBody(noise))).toBe(noise);
  });

  it('declines for good where the handle is not the shape it was written against', () => {
    const noHandle: DeflateZlibApi = { ...zlib, createDeflateRaw: () => ({}) };
    expect(reusedDeflater(DICT, PACK, noHandle).deflate(bodies[0] as string)).toBeNull();
    const throws: DeflateZlibApi = {
      ...zlib,
      createDeflateRaw: () => {
        throw new Error('no zlib');
      },
    };
    expect(reusedDeflater(DICT, PACK, throws).deflate(bodies[0] as string)).toBeNull();
  });

  it('declines for good where its packing differs from deflateRawSync’s at creation', () => {
    // a public API that packs at another level than the handle: the self-test must see it
    const otherLevel: DeflateZlibApi = {
      ...zlib,
      deflateRawSync: (text, options) => deflateRawSync(`${text} `, options),
    };
    expect(reusedDeflater(DICT, PACK, otherLevel).deflate(bodies[0] as string)).toBeNull();
  });

  it('records sealed through it unpack to their text (the pad’s own dictionary)', () => {
    for (const text of bodies.slice(0, 50)) expect(unpackBody(packBody(text))).toBe(text);
  });

  it('declines where the public API packs in other codes than the kept handle (decision 235)', () => {
    const otherCodes: DeflateZlibApi = {
      ...zlib,
      deflateRawSync: (text, options) =>
        deflateRawSync(text, { ...options, strategy: zlib.constants.Z_DEFAULT_STRATEGY }),
    };
    expect(reusedDeflater(DICT, PACK, otherCodes).deflate(bodies[0] as string)).toBeNull();
  });
});
