import type { ReusedInflater, ZlibApi } from './reused-inflater.js';

/**
 * Unpacks stored record bodies (the format is record-codec.ts's): a version byte, then raw
 * DEFLATE against that version's dictionary, decoded by a kept handle (reused-inflater.ts) or,
 * where it declines, the public API. Errors are plain `Error`s naming why (record-codec.ts turns
 * them into UnreadableBodyError).
 *
 * Self-contained (zlib, the inflater and the dictionaries come in as arguments), so that the
 * verification walk's worker threads run this same code (verify-parallel.ts).
 * Not reentrant: one scratch buffer per decoder, used synchronously.
 */

export interface BodyDecoder {
  /** The canonical text of the packed body in `bytes[0..length)`. */
  bytes(bytes: Uint8Array, length: number): string;
  /**
   * The canonical text of a body read in SQL as `typeof(body)` and `hex(body)`: a hex string costs
   * better-sqlite3 a fraction of what a Buffer per row does (~1.5 µs against ~3 µs for a row of
   * verification), and it is decoded into the decoder's one buffer.
   */
  hex(type: string, hex: string): string;
}

export type BodyZlib = ZlibApi & {
  inflateRawSync(input: Uint8Array, options: { dictionary: Uint8Array }): Buffer;
};

export function bodyDecoder(
  zlib: BodyZlib,
  makeInflater: (zlib: ZlibApi, dictionary: Uint8Array) => ReusedInflater,
  dictionaries: ReadonlyArray<readonly [number, Uint8Array]>,
): BodyDecoder {
  const versions = new Map(
    dictionaries.map(([version, dictionary]) => [
      version,
      { dictionary, fast: makeInflater(zlib, dictionary) },
    ]),
  );
  let scratch = Buffer.allocUnsafe(64 * 1024);
  const bytes = (input: Uint8Array, length: number): string => {
    const version = versions.get(input[0] as number);
    if (version === undefined) throw new Error(`unknown packing version ${input[0]}`);
    const fast = version.fast.inflate(input, 1, length);
    if (fast !== null) return fast;
    return zlib
      .inflateRawSync(input.subarray(1, length), { dictionary: version.dictionary })
      .toString('utf8');
  };
  return {
    bytes,
    hex(type, hex) {
      const size = hex.length >>> 1;
      if (size > scratch.length) scratch = Buffer.allocUnsafe(size);
      const length = scratch.write(hex, 0, 'hex');
      if (type === 'text') return scratch.toString('utf8', 0, length);
      if (type !== 'blob' || length < 2) throw new Error(`neither text nor a packed body (${type})`);
      return bytes(scratch, length);
    },
  };
}
