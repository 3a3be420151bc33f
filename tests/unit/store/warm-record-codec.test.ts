import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  BODY_CODEC,
  keptEncoderVersions,
  packBody,
  recordVersions,
  unpackBody,
  warmRecordCodec,
} from '../../../src/store/record-codec.js';

describe('warmRecordCodec', () => {
  it('makes the current version’s kept encoder before the first seal, and packing is unchanged by it', () => {
    // This file runs in its own module context: nothing has been packed yet.
    expect(keptEncoderVersions()).toEqual([]);
    warmRecordCodec();
    expect(keptEncoderVersions()).toEqual([BODY_CODEC]);
    warmRecordCodec();
    expect(keptEncoderVersions()).toEqual([BODY_CODEC]);
    const text = '{"deviceSeq":7,"note":"很好 fine"}';
    const packed = packBody(text);
    expect(unpackBody(packed)).toBe(text);
    // Packed whole (version 1): its bytes are deflateRawSync's, as without the warm-up.
    const dictionary = recordVersions().find(([v]) => v === 1)?.[1];
    expect(packed).toEqual(Buffer.concat([Buffer.from([1]), deflateRawSync(text, { level: 9, dictionary })]));
    expect(keptEncoderVersions().sort()).toEqual([1, BODY_CODEC].sort());
  });
});
