import type Database from 'better-sqlite3';
import type { RowValues } from './row-values.js';

/**
 * The fast path of chain verification (decision 205): walks a range of records and answers only
 * "clean" (with where it ended) or "not clean". verify.ts runs it first and, only when it is not
 * clean, walks again the careful way to name the first problem; verify-parallel.ts runs it over
 * ranges in worker threads.
 *
 * Clean means exactly what verifyChain's walk accepts: consecutive deviceSeqs from the given
 * start, every body unpacking to text that hashes to its stored hash, naming its own deviceSeq
 * and the previous record's hash, and agreeing with the indexed columns. A body packed without its
 * row's values (row-values.ts) is checked over its bytes, without making a string of them: it
 * unpacks only when its row's values fit its marks, and then stand once each where a field
 * stands, so it agrees with the columns (its deviceTimeMs with `created_ms` too); an edited column
 * shows as a text that does not hash, a body packed by hand with one of those fields in it as a
 * body that does not unpack.
 *
 * Self-contained (everything it uses comes in `env`; nothing from this module's scope is used
 * inside), so that a worker thread can run its source text.
 */

/** A key as verify.ts's fieldIs looks for it: `"key":` and `,"key":`, built once per walk. */
export interface FieldNeedle {
  name: string;
  afterComma: string;
  /** afterComma as UTF-8, for bytesStringFieldIs */
  afterCommaBytes: Uint8Array;
}

export interface WalkEnv {
  sha256Hex(text: string): string;
  /** body-decoder.ts's `hex`: the canonical text of a body read as typeof(body), hex(body); throws */
  unpackHex(type: string, hex: string, row: RowValues): string;
  /** body-decoder.ts's `withoutRowValues`: the body was packed without its row's values */
  withoutRowValues(type: string, hex: string): boolean;
  /** body-decoder.ts's `hexBytes`: the canonical UTF-8 bytes of a packed body; throws */
  unpackHexBytes(hex: string, row: RowValues): Buffer;
  sha256HexOfBytes(bytes: Uint8Array): string;
  /** node:buffer's isUtf8: a body is text; the careful walk refuses bytes that are not UTF-8 too */
  isUtf8(bytes: Uint8Array): boolean;
  /** verify.ts's bytesStringFieldIs: fieldIs over UTF-8 bytes, for a string written without escapes */
  bytesStringFieldIs(body: Buffer, key: FieldNeedle, value: string): boolean;
  /** verify.ts's fieldIs: whether a top-level key of a canonical body has this JSON text */
  fieldIs(body: string, key: FieldNeedle, expected: string | undefined): boolean;
  fieldNeedle(key: string): FieldNeedle;
}

export interface WalkRange {
  /** rows with device_seq above this are read (below the chain's start too, so they show) */
  readAbove: number;
  /** the deviceSeq and hash the first record must follow */
  prevSeq: number;
  prevHash: string;
  /** the last deviceSeq read */
  throughSeq: number;
}

export type WalkResult =
  { clean: true; count: number; lastSeq: number; lastHash: string } | { clean: false; atSeq: number };

export function walkChainRange(
  env: WalkEnv,
  db: Pick<Database.Database, 'prepare' | 'transaction'>,
  range: WalkRange,
): WalkResult {
  /** Rows read at a time: past a few hundred, larger batches read no faster (measured 128–2,048). */
  const batchRows = 512;
  const unpack = (type: unknown, hex: string, row: RowValues): string | null => {
    try {
      return env.unpackHex(String(type), hex, row);
    } catch {
      return null;
    }
  };
  const key = {
    deviceSeq: env.fieldNeedle('deviceSeq'),
    prevHash: env.fieldNeedle('prevHash'),
    evaluationId: env.fieldNeedle('evaluationId'),
    staffId: env.fieldNeedle('staffId'),
    status: env.fieldNeedle('status'),
    satisfaction: env.fieldNeedle('satisfaction'),
  };
  const json = (value: unknown): string | undefined => (value === null ? undefined : JSON.stringify(value));

  // Raw rows and hex text: a Buffer per row costs better-sqlite3 more than the rest of the check.
  // The first six columns are the row's values in RowValues' order, so a row is handed to the
  // decoder as it is (no array made per record). Read in batches with all(): a row of an
  // iterator costs better-sqlite3 ~0.3 µs more than a row of all() (20% of the read).
  const batch = db
    .prepare(
      `SELECT device_seq, created_ms, record_id, satisfaction, staff_id, status, typeof(body), hex(body),
              CASE typeof(hash) WHEN 'blob' THEN lower(hex(hash)) ELSE hash END
       FROM records WHERE device_seq > ? AND device_seq <= ? ORDER BY device_seq LIMIT ${batchRows}`,
    )
    .raw(true);
  let prevSeq = range.prevSeq;
  let prevHash = range.prevHash;
  let count = 0;
  const walk = (): WalkResult => {
    let above = range.readAbove;
    for (;;) {
      const rows = batch.all(above, range.throughSeq) as unknown[][];
      for (const row of rows) {
        const seq = row[0] as number;
        if (seq !== prevSeq + 1) return { clean: false, atSeq: prevSeq + 1 };
        const type = String(row[6]);
        const hex = String(row[7]);
        const hash = String(row[8]);
        // device_seq, created_ms, record_id, satisfaction, staff_id, status (row-values.ts)
        const values = row as unknown as RowValues;
        if (env.withoutRowValues(type, hex)) {
          let bytes: Buffer;
          try {
            bytes = env.unpackHexBytes(hex, values);
          } catch {
            return { clean: false, atSeq: seq };
          }
          // Unpacked, the row's values stand once each where fields stand (row-values.ts): what the
          // checks of the other branch look for holds, and the careful walk checks it again.
          if (
            env.sha256HexOfBytes(bytes) !== hash ||
            !env.isUtf8(bytes) ||
            !env.bytesStringFieldIs(bytes, key.prevHash, prevHash)
          )
            return { clean: false, atSeq: seq };
        } else {
          const text = unpack(type, hex, values);
          if (
            text === null ||
            env.sha256Hex(text) !== hash ||
            !env.fieldIs(text, key.deviceSeq, String(seq)) ||
            !env.fieldIs(text, key.prevHash, `"${prevHash}"`) ||
            !env.fieldIs(text, key.evaluationId, json(row[2])) ||
            !env.fieldIs(text, key.staffId, json(row[4])) ||
            !env.fieldIs(text, key.status, json(row[5])) ||
            !env.fieldIs(text, key.satisfaction, json(row[3]))
          )
            return { clean: false, atSeq: seq };
        }
        prevSeq = seq;
        prevHash = hash;
        count += 1;
      }
      if (rows.length < batchRows) return { clean: true, count, lastSeq: prevSeq, lastHash: prevHash };
      above = prevSeq;
    }
  };
  // The batches are read in one transaction, so they see the database at one moment, as one
  // statement did: the pad may seal records while a technician verifies.
  return db.transaction(walk)();
}
