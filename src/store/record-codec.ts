import type Database from 'better-sqlite3';
import * as zlib from 'node:zlib';
import { deflateRawSync } from 'node:zlib';
import { bodyDecoder, type BodyDecoder } from './body-decoder.js';
import { reusedInflater } from './reused-inflater.js';

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
 * one is a new version, and every version stays here.
 *
 * A body stored as text (a row written before the migration, or by a technician's hand) reads
 * as that text, so every check still sees it and verification reports what is wrong with it.
 */

const DICTIONARIES: ReadonlyMap<number, Buffer> = new Map([
  [
    1,
    Buffer.from(
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
  ],
]);

/** The decoder every unpack goes through (body-decoder.ts), made at the first unpack, not at load. */
let decoder: BodyDecoder | null = null;
function theDecoder(): BodyDecoder {
  decoder ??= bodyDecoder(zlib, reusedInflater, [...DICTIONARIES]);
  return decoder;
}

/** `decode` with its error as UnreadableBodyError. */
function unreadableOnError(decode: () => string): string {
  try {
    return decode();
  } catch (err) {
    throw new UnreadableBodyError((err as Error).message);
  }
}

/** Every packing version and its dictionary (verify-parallel.ts hands them to its worker threads). */
export function recordDictionaries(): Array<[number, Buffer]> {
  return [...DICTIONARIES];
}

/** The version new records are packed with. */
export const BODY_CODEC = 1;

export function packBody(text: string, version = BODY_CODEC): Buffer {
  const dictionary = DICTIONARIES.get(version);
  if (dictionary === undefined) throw new Error(`no record dictionary version ${version}`);
  const packed = deflateRawSync(text, { level: 9, dictionary });
  const out = Buffer.allocUnsafe(packed.length + 1);
  out[0] = version;
  packed.copy(out, 1);
  return out;
}

export class UnreadableBodyError extends Error {
  constructor(readonly reason: string) {
    super(`record body unreadable: ${reason}`);
    this.name = 'UnreadableBodyError';
  }
}

/** The canonical text of a stored body (see above); throws UnreadableBodyError when it cannot be unpacked. */
export function unpackBody(stored: unknown): string {
  if (typeof stored === 'string') return stored;
  if (!Buffer.isBuffer(stored) || stored.length < 2)
    throw new UnreadableBodyError(`neither text nor a packed body (${typeof stored})`);
  return unreadableOnError(() => theDecoder().bytes(stored, stored.length));
}

/** The canonical text of a body read in SQL as `typeof(body)` and `hex(body)` (BodyDecoder.hex). */
export function unpackHexBody(type: string, hex: string): string {
  return unreadableOnError(() => theDecoder().hex(type, hex));
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

function unpackedOrMarker(stored: unknown): string {
  try {
    return unpackBody(stored);
  } catch (err) {
    return JSON.stringify({ unreadableBody: (err as Error).message });
  }
}

/**
 * SQL functions on every connection, so queries keep reading records in SQL:
 * `record_text(body)` the canonical text, `record_json(body, hash)` the upload JSON,
 * `record_hash(hash)` the hex hash, `record_pack(text)` a packed body (tools and tests).
 * A body that cannot be unpacked reads as an object naming why (uploads meet a refusal,
 * verification reports the row), never as an error that would stop every query touching it.
 */
export function registerRecordFunctions(db: Database.Database): void {
  const opts = { deterministic: true };
  // NULL in, NULL out (as SQL's own functions do): a LEFT JOIN without a record reads NULL.
  db.function('record_text', opts, (body: unknown) => (body === null ? null : unpackedOrMarker(body)));
  db.function('record_json', opts, (body: unknown, hash: unknown) =>
    body === null ? null : recordJson(unpackedOrMarker(body), hashHex(hash)),
  );
  db.function('record_hash', opts, (hash: unknown) => (hash === null ? null : hashHex(hash)));
  db.function('record_pack', opts, (text: unknown) => packBody(String(text)));
}
