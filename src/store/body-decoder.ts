import type { ReusedInflater, ZlibApi } from './reused-inflater.js';
import type { RowValues } from './row-values.js';

/**
 * Unpacks stored record bodies (the format is record-codec.ts's): a version byte, then raw
 * DEFLATE against that version's dictionary, decoded by a kept handle (reused-inflater.ts) or,
 * where it declines, the public API; for a version that leaves the row's values out, the row's
 * values put back (row-values.ts). Errors are plain `Error`s naming why (record-codec.ts turns
 * them into UnreadableBodyError).
 *
 * Self-contained (zlib, the inflater, the restoring function and the versions come in as
 * arguments), so that the verification walk's worker threads run this same code (verify-parallel.ts).
 * Not reentrant: one scratch buffer per decoder, used synchronously.
 */

/** A packing version: its number, its dictionary, and whether it leaves the row's values out. */
export type BodyVersion = readonly [version: number, dictionary: Uint8Array, withoutRowValues: boolean];

export interface BodyDecoder {
  /**
   * The canonical text of the packed body in `bytes[0..length)`; `row` is its row's values, needed
   * by a version that leaves them out (null where the caller has no row: such a body then throws).
   */
  bytes(bytes: Uint8Array, length: number, row: RowValues | null): string;
  /**
   * The canonical text of a body read in SQL as `typeof(body)` and `hex(body)`: a hex string costs
   * better-sqlite3 a fraction of what a Buffer per row does (~1.5 µs against ~3 µs for a row of
   * verification), and it is decoded into the decoder's one buffer.
   */
  hex(type: string, hex: string, row: RowValues | null): string;
  /**
   * As `hex`, for a packed body (`typeof(body)` 'blob'), as UTF-8 bytes in the decoder's own
   * buffer, valid until its next call: the verification walk hashes them without making a string.
   */
  hexBytes(hex: string, row: RowValues | null): Buffer;
  /** Whether a body read as typeof(body), hex(body) was packed without its row's values. */
  withoutRowValues(type: string, hex: string): boolean;
}

export type BodyZlib = ZlibApi & {
  inflateRawSync(input: Uint8Array, options: { dictionary: Uint8Array }): Buffer;
};

export function bodyDecoder(
  zlib: BodyZlib,
  makeInflater: (zlib: ZlibApi, dictionary: Uint8Array) => ReusedInflater,
  versionList: ReadonlyArray<BodyVersion>,
  restoreRowValues: (elided: Uint8Array, length: number, row: RowValues, out: Buffer) => number,
): BodyDecoder {
  const versions = new Map(
    versionList.map(([version, dictionary, withoutRowValues]) => [
      version,
      { dictionary, withoutRowValues, fast: makeInflater(zlib, dictionary) },
    ]),
  );
  let scratch = Buffer.allocUnsafe(64 * 1024);
  let restored = Buffer.allocUnsafe(64 * 1024);
  const canonicalBytes = (input: Uint8Array, length: number, row: RowValues | null): Buffer => {
    const version = versions.get(input[0] as number);
    if (version === undefined) throw new Error(`unknown packing version ${input[0]}`);
    if (version.withoutRowValues && row === null)
      throw new Error(`packing version ${input[0]} is unpacked with its row's values`);
    const inflated =
      version.fast.inflateBytes(input, 1, length) ??
      zlib.inflateRawSync(input.subarray(1, length), { dictionary: version.dictionary });
    if (!version.withoutRowValues) return inflated;
    let written = restoreRowValues(inflated, inflated.length, row as RowValues, restored);
    while (written === -1) {
      restored = Buffer.allocUnsafe(restored.length * 2);
      written = restoreRowValues(inflated, inflated.length, row as RowValues, restored);
    }
    if (written < 0) throw new Error("the row's values do not fit the body's marks");
    return restored.subarray(0, written);
  };
  const fromHex = (hex: string): number => {
    const size = hex.length >>> 1;
    if (size > scratch.length) scratch = Buffer.allocUnsafe(size);
    return scratch.write(hex, 0, 'hex');
  };
  return {
    bytes: (input, length, row) => canonicalBytes(input, length, row).toString('utf8'),
    withoutRowValues(type, hex) {
      return type === 'blob' && versions.get(parseInt(hex.slice(0, 2), 16))?.withoutRowValues === true;
    },
    hex(type, hex, row) {
      const length = fromHex(hex);
      if (type === 'text') return scratch.toString('utf8', 0, length);
      if (type !== 'blob' || length < 2) throw new Error(`neither text nor a packed body (${type})`);
      return canonicalBytes(scratch, length, row).toString('utf8');
    },
    hexBytes(hex, row) {
      const length = fromHex(hex);
      if (length < 2) throw new Error('neither text nor a packed body (blob)');
      return canonicalBytes(scratch, length, row);
    },
  };
}
