import type Database from 'better-sqlite3';
import { isUtf8 } from 'node:buffer';
import * as zlib from 'node:zlib';
import { deflateRawSync } from 'node:zlib';
import { bodyDecoder, type BodyDecoder, type BodyVersion } from './body-decoder.js';
import { reusedDeflater, type DeflateOptions, type ReusedDeflater } from './reused-deflater.js';
import { reusedInflater } from './reused-inflater.js';
import { elideRowValues, restoreRowValues, restoreRowValuesText, type RowValues } from './row-values.js';

/**
 * How a sealed record is kept on disk since migration 5 (decision 173). What the hash covers and
 * what is uploaded do not change: `body` unpacks to exactly the canonical text the hash was
 * computed over, and `hash` is the same SHA-256, kept as its 32 bytes instead of 64 hex digits.
 *
 * A packed body is one version byte and the text compressed with raw DEFLATE against a preset
 * dictionary of that version: the canonical record's keys in their sorted order and the values
 * most records share. Half a record's text is key names and repeated values, and a single record
 * is too short for DEFLATE to find them in itself; the dictionary is where it finds them.
 * A dictionary is never edited once shipped (the rows packed with it would not unpack): a better
 * one is a new version, and every version stays here. Since version 2 the text packed leaves out
 * the six values its row keeps as columns (row-values.ts), which are put back when it is unpacked;
 * version 1 bodies keep them and still read as they are.
 *
 * A body stored as text (a row written before the migration, or by a technician's hand) reads
 * as that text, so every check still sees it and verification reports what is wrong with it.
 */

/**
 * Version 2 (decision 219): the text with the six values its row keeps marked out (row-values.ts:
 * `\u0001` below is the mark), and a dictionary of whole records of every kind — the rarest first,
 * the most common last, where DEFLATE reaches them with the shortest distances — holding only what
 * every pad of the municipality shares: key names in canonical order, enumerations, the area
 * prefix, the shape of a time, the norms version. No hall's own codes, task names or staff are in
 * it. It need not be JSON (the third holds both remaining cancel reasons).
 */
const DICTIONARY_2 = [
  // unrated in a chain: the citizen chose a 差评 star and left; every optional field
  '{"abandonedSatisfaction":1,"areaCode":"3709","clockOffsetMs":-120,"clockUnsynced":true,\u0001,\u0001,\u0001,' +
    '"groupId":"E","groupMode":"overall","groupType":"chain","hallCode":"H3709","normVersion":"national-2020-05",' +
    '"pf":"4","prevHash":"","projectNo":"3709-2026-","promiseType":2,' +
    '"riskFlags":["restart_after_bad","stray_presses","key_and_touch"],"serviceNumber":3,\u0001,"staffName":"",' +
    '"startedTime":"2026-12-01 09:30:00",\u0001,"taskCode":"3709-QT-000","taskName":"","windowNo":"1"}',
  // cancelled in a batch
  '{"areaCode":"3709","cancelReason":"wrong_case","cancelledBy":"","cancelledTime":"2026-12-01 09:30:00",' +
    '"clockOffsetMs":0,\u0001,\u0001,\u0001,"groupId":"E","groupMode":"each","groupType":"batch","hallCode":"H3709","pf":"4",' +
    '"prevHash":"","projectNo":"3709-2026-","promiseType":1,"riskFlags":["frequent_cancel"],"serviceNumber":2,\u0001,' +
    '"staffName":"","startedTime":"2026-12-01 09:30:00",\u0001,"taskCode":"3709-XK-000","taskName":"变更登记","windowNo":"1"}',
  // a 差评 by touch with reasons and a comment
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","cancelReason":"citizen_left","cancelReason":"other",' +
    '"clockOffsetMs":0,\u0001,\u0001,"evalDetail":"5011,5012",\u0001,"hallCode":"H3709","inputSource":"touch",' +
    '"normVersion":"national-2020-05","pf":"4","prevHash":"","projectNo":"3709-2026-","promiseType":1,' +
    '"riskFlags":["fast_rating","burst"],\u0001,"serviceNumber":1,\u0001,"staffName":"","startedTime":"2026-12-01 09:30:00",\u0001,' +
    '"taskCode":"3709-XK-000","taskName":"设立登记","windowNo":"1","writingEvaluation":""}',
  // unrated
  '{"areaCode":"3709","clockOffsetMs":0,\u0001,\u0001,\u0001,"hallCode":"H3709","pf":"4","prevHash":"","projectNo":"3709-2026-",' +
    '"promiseType":1,"serviceNumber":1,\u0001,"staffName":"","startedTime":"2026-12-01 09:30:00",\u0001,' +
    '"taskCode":"3709-XK-000","taskName":"登记","windowNo":"1"}',
  // a 差评 by key with reasons
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","clockOffsetMs":0,\u0001,\u0001,"evalDetail":"",\u0001,' +
    '"hallCode":"H3709","inputSource":"key","normVersion":"national-2020-05","pf":"4","prevHash":"",' +
    '"projectNo":"3709-2026-","promiseType":1,\u0001,"serviceNumber":1,\u0001,"staffName":"",' +
    '"startedTime":"2026-12-01 09:30:00",\u0001,"taskCode":"3709-XK-000","taskName":"登记","windowNo":"1"}',
  // rated by key, the most common
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","clockOffsetMs":0,\u0001,\u0001,\u0001,"hallCode":"H3709",' +
    '"inputSource":"key","pf":"4","prevHash":"","projectNo":"3709-2026-","promiseType":1,\u0001,"serviceNumber":1,\u0001,' +
    '"staffName":"","startedTime":"2026-12-01 09:30:00",\u0001,"taskCode":"3709-XK-000","taskName":"登记","windowNo":"1"}',
].join('');

/** Every packing version ever shipped: its dictionary, and whether it leaves the row's values out. */
const VERSIONS: ReadonlyMap<number, { dictionary: Buffer; withoutRowValues: boolean }> = new Map([
  [
    1,
    {
      dictionary: Buffer.from(
        '{"abandonedSatisfaction":2,"areaCode":"3709","assessTime":"2026-12-01 09:30:00",' +
          '"cancelReason":"citizen_left","cancelReason":"wrong_case","cancelledBy":"' +
          '"cancelledTime":"2026-12-01 09:30:00","clockOffsetMs":0,"clockUnsynced":true,"deviceSeq":' +
          '"deviceTimeMs":17,"evalDetail":"5011,5012","evaluationId":"E' +
          '"groupId":"groupMode":"overall","groupMode":"each","groupType":"batch","groupType":"chain",' +
          '"hallCode":"H","inputSource":"touch","normVersion":"national-2020-05","pf":"4","prevHash":"' +
          '"projectNo":"-2026-","promiseType":2,"riskFlags":["fast_rating","key_and_touch","burst",' +
          '"stray_presses","frequent_cancel","restart_after_bad"],"satisfaction":3,"serviceNumber":1,' +
          '"staffId":"staffName":"startedTime":"2026-12-01 09:30:00","status":"cancelled",' +
          '"status":"unrated","taskCode":"-XK-000","taskName":"登记","windowNo":"1","writingEvaluation":"' +
          '"inputSource":"key","promiseType":1,"satisfaction":5,"serviceNumber":1,"staffId":"' +
          '","status":"rated","taskCode":"',
        'utf8',
      ),
      withoutRowValues: false,
    },
  ],
  [2, { dictionary: Buffer.from(DICTIONARY_2, 'utf8'), withoutRowValues: true }],
]);

/** The decoder every unpack goes through (body-decoder.ts), made at the first unpack, not at load. */
let decoder: BodyDecoder | null = null;
/**
 * The decoder itself, whose errors are plain `Error`s: for the verification walk on this thread,
 * which takes any error as "not clean" and calls it a few hundred thousand times (its workers make
 * their own from the same code).
 */
export function theDecoder(): BodyDecoder {
  decoder ??= bodyDecoder(zlib, reusedInflater, recordVersions(), restoreRowValues);
  return decoder;
}

/** `decode` with its error as UnreadableBodyError. */
function unreadableOnError<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new UnreadableBodyError((err as Error).message);
  }
}

/** Every packing version (verify-parallel.ts hands them to its worker threads). */
export function recordVersions(): BodyVersion[] {
  return [...VERSIONS].map(([version, v]) => [version, v.dictionary, v.withoutRowValues]);
}

/** The version new records are packed with. */
export const BODY_CODEC = 2;

/**
 * How every body is packed: level 9 (the dictionary's matches are short) in fixed Huffman codes
 * (decision 235). Codes made for each record save ~6–8 of its ~160 bytes, and its inflate then
 * takes 1.9–2.6 µs instead of 0.7, for every record verification, an upload or the figures read.
 * Bodies packed before unpack as they always did: a block names its own codes.
 */
export const BODY_PACKING: DeflateOptions = { level: 9, strategy: zlib.constants.Z_FIXED };

/** One kept encoder per version, made at its first seal (reused-deflater.ts). */
const deflaters = new Map<number, ReusedDeflater>();

function deflated(version: number, text: string): Buffer {
  const known = VERSIONS.get(version);
  if (known === undefined) throw new Error(`no record dictionary version ${version}`);
  let deflater = deflaters.get(version);
  if (deflater === undefined) {
    deflater = reusedDeflater(known.dictionary, BODY_PACKING);
    deflaters.set(version, deflater);
  }
  const packed =
    deflater.deflate(text) ?? deflateRawSync(text, { ...BODY_PACKING, dictionary: known.dictionary });
  const out = Buffer.allocUnsafe(packed.length + 1);
  out[0] = version;
  packed.copy(out, 1);
  return out;
}

/** The versions whose kept encoder is made (tests: what warmRecordCodec made). */
export function keptEncoderVersions(): number[] {
  return [...deflaters.keys()];
}

/**
 * Makes, at start, what the first seal and the first unpack would otherwise make inside a key
 * press's transaction: the kept encoder of the current version (a zlib stream and its self-test,
 * reused-deflater.ts) and the decoder with its kept decoders (body-decoder.ts). A pad's first
 * press after a start took 5–6 ms more than the next ones here, most of it these.
 */
export function warmRecordCodec(): void {
  const row: RowValues = [1, 2, 'E-WARM', 5, 'S-WARM', 'sealed'];
  const text =
    '{"deviceSeq":1,"deviceTimeMs":2,"evaluationId":"E-WARM","satisfaction":5,"staffId":"S-WARM",' +
    `"status":"sealed","warm":"${'记录 record '.repeat(4)}"}`;
  const packed = packBody(text, row);
  if (packed[0] !== BODY_CODEC || theDecoder().bytes(packed, packed.length, row) !== text)
    throw new Error('the record codec does not give back what it packed');
}

/**
 * Whether SQLite gives the value back as it is: a string with a lone UTF-16 surrogate (a
 * handover file may hold one) is stored as bytes that read back as another string.
 */
function storedAsGiven(value: unknown): boolean {
  return typeof value !== 'string' || Buffer.from(value, 'utf8').toString('utf8') === value;
}

/**
 * A canonical text packed for its row: without the row's values (BODY_CODEC) when putting them
 * back gives exactly this text and SQLite keeps the row's values as they are, else whole (version 1). Without a row (tools, tests, a body
 * written by hand): whole.
 */
export function packBody(text: string, row?: RowValues): Buffer {
  if (row !== undefined && row.every(storedAsGiven)) {
    const elided = elideRowValues(text, row);
    if (elided !== null && restoreRowValuesText(elided, row) === text) return deflated(BODY_CODEC, elided);
  }
  return deflated(1, text);
}

export class UnreadableBodyError extends Error {
  constructor(readonly reason: string) {
    super(`record body unreadable: ${reason}`);
    this.name = 'UnreadableBodyError';
  }
}

/**
 * The canonical text of a stored body (see above), `row` its row's values (null: unknown, and a
 * body packed without them is then unreadable); throws UnreadableBodyError when it cannot be unpacked.
 */
export function unpackBody(stored: unknown, row: RowValues | null = null): string {
  if (typeof stored === 'string') return stored;
  if (!Buffer.isBuffer(stored) || stored.length < 2)
    throw new UnreadableBodyError(`neither text nor a packed body (${typeof stored})`);
  return unreadableOnError(() => theDecoder().bytes(stored, stored.length, row));
}

/** Whether a body read in SQL as `typeof(body)` and `hex(body)` was packed without its row's values. */
export function hexBodyWithoutRowValues(type: string, hex: string): boolean {
  return theDecoder().withoutRowValues(type, hex);
}

/** The canonical UTF-8 bytes of a packed body read in SQL as `hex(body)` (BodyDecoder.hexBytes; valid until the next unpack). */
export function unpackHexBodyBytes(hex: string, row: RowValues | null): Buffer {
  return unreadableOnError(() => theDecoder().hexBytes(hex, row));
}

/** The canonical text of a body read in SQL as `typeof(body)` and `hex(body)` (BodyDecoder.hex). */
export function unpackHexBody(type: string, hex: string, row: RowValues | null): string {
  return unreadableOnError(() => theDecoder().hex(type, hex, row));
}

export function hashBlob(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** The hash as 64 hex digits, whether stored as its 32 bytes or (by hand) as text. */
export function hashHex(stored: unknown): string {
  if (Buffer.isBuffer(stored)) return stored.toString('hex');
  return String(stored);
}

/**
 * A stored record as the platform gets it: the canonical body with its hash added. Valid JSON of
 * the same record; the platform canonicalises what it receives (platform-api.md §2), so the key
 * order of the tail is immaterial. Text that is not an object gives text the platform refuses,
 * which is what a damaged record must meet.
 */
export function recordJson(text: string, hash: string): string {
  return `${text.slice(0, -1)},"hash":"${hash}"}`;
}

function unpackedOrMarker(stored: unknown, row: RowValues | null): string {
  try {
    return unpackBody(stored, row);
  } catch (err) {
    return JSON.stringify({ unreadableBody: (err as Error).message });
  }
}

const HASH_KEY = Buffer.from(',"hash":"');
const CLOSE_BRACE = 0x7d;

/**
 * The upload JSON of a stored record as UTF-8 bytes: byte for byte `record_json(body, hash,
 * <row>)` (what `recordJsonSql` reads) encoded as UTF-8, for a body read in SQL as `typeof(body)`
 * (`type`) and, for a blob, `hex(body)` (else the value as it is). The uploader reads every
 * pending record this way: a packed body goes from its inflated bytes to the JSON's bytes without
 * a string in between (through `record_json` it was turned into a string, into SQLite's text,
 * back into a string and into bytes again: ~4 µs of the ~12 µs a record took here). Anything but
 * a sound packed body whose text is UTF-8 ending in `}` takes `record_json`'s own path, so text
 * bodies and damaged ones read exactly as they did.
 */
export function recordJsonBytes(type: string, body: unknown, hash: unknown, row: RowValues): Buffer {
  if (type === 'blob' && typeof body === 'string') {
    let text: Buffer | null = null;
    try {
      text = theDecoder().hexBytes(body, row);
    } catch {
      // Unreadable: the marker below says why, as record_json does.
    }
    if (text !== null && text.length > 0 && text[text.length - 1] === CLOSE_BRACE && isUtf8(text)) {
      const hex = Buffer.from(hashHex(hash), 'utf8');
      const out = Buffer.allocUnsafe(text.length - 1 + HASH_KEY.length + hex.length + 2);
      let at = text.copy(out, 0, 0, text.length - 1);
      at += HASH_KEY.copy(out, at);
      at += hex.copy(out, at);
      out[at] = 0x22; // "
      out[at + 1] = CLOSE_BRACE;
      return out;
    }
  }
  const stored = type === 'blob' && typeof body === 'string' ? Buffer.from(body, 'hex') : body;
  return Buffer.from(recordJson(unpackedOrMarker(stored, row), hashHex(hash)), 'utf8');
}

/** The row's values among a SQL function's arguments after `skip` of its own (none: null). */
function rowArgs(args: unknown[], skip: number): RowValues | null {
  if (args.length === skip) return null;
  if (args.length !== skip + 6)
    throw new TypeError(`a record's row is its six values (row-values.ts), not ${args.length - skip}`);
  return args.slice(skip) as unknown as RowValues;
}

/**
 * SQL functions on every connection, so queries keep reading records in SQL:
 * `record_text(body, <row>)` the canonical text, `record_json(body, hash, <row>)` the upload JSON,
 * where `<row>` is the row's six values (`rowValueColumns`; records.ts writes both calls),
 * `record_hash(hash)` the hex hash, `record_pack(text)` a body packed whole (tools and tests).
 * `record_text(body)` alone reads a body packed whole. A body that cannot be unpacked reads as an
 * object naming why (uploads meet a refusal, verification reports the row), never as an error that
 * would stop every query touching it.
 */
export function registerRecordFunctions(db: Database.Database): void {
  const opts = { deterministic: true, varargs: true };
  // NULL in, NULL out (as SQL's own functions do): a LEFT JOIN without a record reads NULL.
  db.function('record_text', opts, (body: unknown, ...row: unknown[]) =>
    body === null ? null : unpackedOrMarker(body, rowArgs(row, 0)),
  );
  db.function('record_json', opts, (body: unknown, hash: unknown, ...row: unknown[]) =>
    body === null ? null : recordJson(unpackedOrMarker(body, rowArgs(row, 0)), hashHex(hash)),
  );
  db.function('record_hash', { deterministic: true }, (hash: unknown) =>
    hash === null ? null : hashHex(hash),
  );
  db.function('record_pack', { deterministic: true }, (text: unknown) => packBody(String(text)));
}
