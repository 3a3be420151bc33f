import type Database from 'better-sqlite3';
import type { ReusedInflater, ZlibApi } from './reused-inflater.js';

/**
 * The fast path of chain verification (decision 205): walks a range of records and answers only
 * "clean" (with where it ended) or "not clean". verify.ts runs it first and, only when it is not
 * clean, walks again the careful way to name the first problem; verify-parallel.ts runs it over
 * ranges in worker threads.
 *
 * Clean means exactly what verifyChain's walk accepts: consecutive deviceSeqs from the given
 * start, every body unpacking to text that hashes to its stored hash, naming its own deviceSeq
 * and the previous record's hash, and agreeing with the indexed columns.
 *
 * Self-contained (everything it uses comes in `env`; nothing from this module's scope is used
 * inside), so that a worker thread can run its source text.
 */

/** A key as verify.ts's fieldIs looks for it: `"key":` and `,"key":`, built once per walk. */
export interface FieldNeedle {
  name: string;
  afterComma: string;
}

export interface WalkEnv {
  zlib: ZlibApi & {
    inflateRawSync(input: Uint8Array, options: { dictionary: Uint8Array }): Buffer;
  };
  sha256Hex(text: string): string;
  reusedInflater(zlib: ZlibApi, dictionary: Uint8Array): ReusedInflater;
  /** verify.ts's fieldIs: whether a top-level key of a canonical body has this JSON text */
  fieldIs(body: string, key: FieldNeedle, expected: string | undefined): boolean;
  fieldNeedle(key: string): FieldNeedle;
  /** record-codec.ts's packing versions and their dictionaries */
  dictionaries: ReadonlyArray<readonly [number, Uint8Array]>;
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
  db: Pick<Database.Database, 'prepare'>,
  range: WalkRange,
): WalkResult {
  const decoders = new Map(
    env.dictionaries.map(([version, dictionary]) => [
      version,
      { dictionary, fast: env.reusedInflater(env.zlib, dictionary) },
    ]),
  );
  let scratch = Buffer.allocUnsafe(64 * 1024);
  const unpack = (type: unknown, hex: string): string | null => {
    const bytes = hex.length >>> 1;
    if (bytes > scratch.length) scratch = Buffer.allocUnsafe(bytes);
    const length = scratch.write(hex, 0, 'hex');
    if (type === 'text') return scratch.toString('utf8', 0, length);
    if (type !== 'blob' || length < 2) return null;
    const decoder = decoders.get(scratch[0] as number);
    if (decoder === undefined) return null;
    const fast = decoder.fast.inflate(scratch, 1, length);
    if (fast !== null) return fast;
    try {
      return env.zlib
        .inflateRawSync(scratch.subarray(1, length), { dictionary: decoder.dictionary })
        .toString('utf8');
    } catch {
      return null;
    }
  };
  const [deviceSeq, prevHashKey, evaluationId, staffId, status, satisfaction] = [
    'deviceSeq',
    'prevHash',
    'evaluationId',
    'staffId',
    'status',
    'satisfaction',
  ].map((key) => env.fieldNeedle(key)) as [
    FieldNeedle,
    FieldNeedle,
    FieldNeedle,
    FieldNeedle,
    FieldNeedle,
    FieldNeedle,
  ];
  const json = (value: unknown): string | undefined => (value === null ? undefined : JSON.stringify(value));

  // Raw rows and hex text: a Buffer per row costs better-sqlite3 more than the rest of the check.
  const rows = db
    .prepare(
      `SELECT device_seq, record_id, staff_id, status, satisfaction, typeof(body), hex(body),
              CASE typeof(hash) WHEN 'blob' THEN lower(hex(hash)) ELSE hash END
       FROM records WHERE device_seq > ? AND device_seq <= ? ORDER BY device_seq`,
    )
    .raw(true)
    .iterate(range.readAbove, range.throughSeq) as IterableIterator<unknown[]>;
  let prevSeq = range.prevSeq;
  let prevHash = range.prevHash;
  let count = 0;
  try {
    for (const row of rows) {
      const seq = row[0] as number;
      if (seq !== prevSeq + 1) return { clean: false, atSeq: prevSeq + 1 };
      const text = unpack(row[5], String(row[6]));
      const hash = String(row[7]);
      if (
        text === null ||
        env.sha256Hex(text) !== hash ||
        !env.fieldIs(text, deviceSeq, String(seq)) ||
        !env.fieldIs(text, prevHashKey, `"${prevHash}"`) ||
        !env.fieldIs(text, evaluationId, json(row[1])) ||
        !env.fieldIs(text, staffId, json(row[2])) ||
        !env.fieldIs(text, status, json(row[3])) ||
        !env.fieldIs(text, satisfaction, json(row[4]))
      )
        return { clean: false, atSeq: seq };
      prevSeq = seq;
      prevHash = hash;
      count += 1;
    }
  } finally {
    rows.return?.();
  }
  return { clean: true, count, lastSeq: prevSeq, lastHash: prevHash };
}
