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
  restoreRowValues: (elided: string, row: RowValues) => string,
): BodyDecoder {
  const versions = new Map(
    versionList.map(([version, dictionary, withoutRowValues]) => [
      version,
      { dictionary, withoutRowValues, fast: makeInflater(zlib, dictionary) },
    ]),
  );
  let scratch = Buffer.allocUnsafe(64 * 1024);
  const bytes = (input: Uint8Array, length: number, row: RowValues | null): string => {
    const version = versions.get(input[0] as number);
    if (version === undefined) throw new Error(`unknown packing version ${input[0]}`);
    if (version.withoutRowValues && row === null)
      throw new Error(`packing version ${input[0]} is unpacked with its row's values`);
    const text =
      version.fast.inflate(input, 1, length) ??
      zlib.inflateRawSync(input.subarray(1, length), { dictionary: version.dictionary }).toString('utf8');
    return version.withoutRowValues ? restoreRowValues(text, row as RowValues) : text;
  };
  return {
    bytes,
    withoutRowValues(type, hex) {
      return type === 'blob' && versions.get(parseInt(hex.slice(0, 2), 16))?.withoutRowValues === true;
    },
    hex(type, hex, row) {
      const size = hex.length >>> 1;
      if (size > scratch.length) scratch = Buffer.allocUnsafe(size);
      const length = scratch.write(hex, 0, 'hex');
      if (type === 'text') return scratch.toString('utf8', 0, length);
      if (type !== 'blob' || length < 2) throw new Error(`neither text nor a packed body (${type})`);
      return bytes(scratch, length, row);
    },
  };
}
