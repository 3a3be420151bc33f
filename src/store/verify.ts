import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { GENESIS_HASH, sha256Hex } from '../domain/canonical.js';
import { platformRecordSchema } from '../domain/record.js';
import { walkChainRange, type FieldNeedle, type WalkEnv } from './chain-walk.js';
import type { RowValues } from './row-values.js';
import { getMeta, type Db } from './db.js';
import {
  hexBodyWithoutRowValues,
  theDecoder,
  UnreadableBodyError,
  unpackHexBody,
  unpackHexBodyBytes,
} from './record-codec.js';

/**
 * Checks the pad's hash chain (docs/protocols/platform-api.md §2) as stored: every body hashes to its `hash`,
 * links to its predecessor, sits at the right deviceSeq, agrees with the indexed columns that
 * queries read instead of the body, and the chain ends where meta says it does. Read-only.
 *
 * Retention deletes a delivered prefix and leaves `retention_anchor` ({deviceSeq, hash} of the
 * last deleted record); the walk starts from it. Not covered: `records.created_ms` of a body packed
 * whole (local bookkeeping, not part of such a record; for a body packed without its row's values
 * it is the record's deviceTimeMs and is checked), and an attacker who rewrites every hash from the edit
 * onward together with meta — only the platform's copy can show that.
 */

export type ChainProblem =
  | 'bad_anchor'
  | 'seq_gap'
  | 'seq_mismatch'
  | 'body_unreadable'
  | 'body_unparseable'
  | 'body_invalid'
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'column_mismatch'
  | 'missing_tail'
  | 'chain_head_mismatch'
  | 'last_seq_mismatch';

export type VerifyResult =
  | { ok: true; count: number }
  | {
      ok: false;
      firstBroken: { deviceSeq: number; recordId: string | null; problem: string };
      checked: number;
    };

export interface ChainAnchor {
  deviceSeq: number;
  hash: string;
}

export const RETENTION_ANCHOR_KEY = 'retention_anchor';

export function readAnchor(db: Db): ChainAnchor | 'invalid' {
  const raw = getMeta(db, RETENTION_ANCHOR_KEY);
  if (raw === undefined) return { deviceSeq: 0, hash: GENESIS_HASH };
  try {
    const v = JSON.parse(raw) as Partial<ChainAnchor>;
    if (
      Number.isInteger(v.deviceSeq) &&
      (v.deviceSeq as number) >= 1 &&
      typeof v.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(v.hash)
    ) {
      return { deviceSeq: v.deviceSeq as number, hash: v.hash };
    }
  } catch {
    /* reported below */
  }
  return 'invalid';
}

function readRestart(db: Db): ChainAnchor | null {
  const raw = getMeta(db, 'chain_restart');
  if (raw === undefined) return null;
  try {
    const v = JSON.parse(raw) as Partial<ChainAnchor>;
    if (Number.isInteger(v.deviceSeq) && typeof v.hash === 'string')
      return { deviceSeq: v.deviceSeq as number, hash: v.hash };
  } catch {
    /* an unreadable restart mark is ignored: the walk then reports the gap it hides */
  }
  return null;
}

/** A record's hash as 64 hex digits in SQL, whether stored as 32 bytes or (by hand) as text. */
export const HASH_HEX_SQL = `CASE typeof(hash) WHEN 'blob' THEN lower(hex(hash)) ELSE hash END`;

/** `body_type`/`body_hex` and `hash_hex`: see unpackHexBody (a Buffer per row costs more). */
interface StoredRow {
  device_seq: number;
  created_ms: number;
  record_id: string;
  staff_id: string;
  status: string;
  satisfaction: number | null;
  body_type: string;
  body_hex: string;
  hash_hex: unknown;
}

/** A row with its body unpacked to the canonical text and its hash in hex. */
interface Row {
  record_id: string;
  created_ms: number;
  staff_id: string;
  status: string;
  satisfaction: number | null;
  body: string;
  hash: string;
  /** packed without the row's values (row-values.ts): an edited column shows as an edited text */
  withoutRowValues: boolean;
}

/**
 * The JSON text of top-level `key` in a canonical body, or undefined when absent. Exact for the
 * flat objects records are: `,"key":` can only be a key there, because inside a JSON string every
 * quote is escaped and inside an array a string is never followed by a colon.
 */
export function rawField(body: string, key: string): string | undefined {
  const name = `"${key}":`;
  let from: number;
  if (body[0] === '{' && body.startsWith(name, 1)) from = 1 + name.length;
  else {
    const at = body.indexOf(`,${name}`);
    if (at < 0) return undefined;
    from = at + 1 + name.length;
  }
  if (body[from] === '"') {
    let i = from + 1;
    while (i < body.length && body[i] !== '"') i += body[i] === '\\' ? 2 : 1;
    return body.slice(from, i + 1);
  }
  let i = from;
  while (i < body.length && body[i] !== ',' && body[i] !== '}') i += 1;
  return body.slice(from, i);
}

export function fieldNeedle(key: string): FieldNeedle {
  const afterComma = `,"${key}":`;
  return { name: `"${key}":`, afterComma, afterCommaBytes: Buffer.from(afterComma, 'utf8') };
}

/**
 * Whether `rawField(body, key) === expected`, without cutting the value out (the fast walk asks
 * this six times a record of a body packed whole). Where the two could differ it answers false, and the careful walk,
 * which uses rawField, has the last word: an expected string with an escape or a quote inside.
 * Self-contained, for the walk's worker threads.
 */
export function fieldIs(body: string, key: FieldNeedle, expected: string | undefined): boolean {
  let from: number;
  if (body.charCodeAt(0) === 123 /* { */ && body.startsWith(key.name, 1)) from = 1 + key.name.length;
  else {
    const at = body.indexOf(key.afterComma);
    if (at < 0) return expected === undefined;
    from = at + key.afterComma.length;
  }
  if (expected === undefined || !body.startsWith(expected, from)) return false;
  if (expected.charCodeAt(0) === 34 /* " */)
    return (
      expected.length >= 2 && expected.indexOf('"', 1) === expected.length - 1 && !expected.includes('\\')
    );
  if (expected.includes(',') || expected.includes('}')) return false;
  const after = body.charCodeAt(from + expected.length);
  return after === 44 /* , */ || after === 125 /* } */ || Number.isNaN(after);
}

/**
 * Whether fieldIs(text, key, '"' + value + '"') holds for the text a body's UTF-8 bytes are: the
 * field is the string `value` written without escapes, as a record's link to the one before it
 * is. Without making either text (the walk asks this once a record). The same answer as fieldIs on
 * the text, since keys are ASCII and UTF-8 never makes an ASCII byte out of part of another
 * character; for a value with a quote or a backslash fieldIs answers false, and so does this, as
 * it does for a value with a character outside ASCII (a hash has none): the careful walk, which
 * uses rawField, then has the last word. Self-contained, for the walk's worker threads; no inner
 * function (one made per call, and named by the TypeScript loader's helper on the calling thread,
 * cost more than the check).
 */
export function bytesStringFieldIs(body: Buffer, key: FieldNeedle, value: string): boolean {
  const name = key.name;
  let from = -1;
  if (body[0] === 123 /* { */) {
    let j = 0;
    while (j < name.length && body[1 + j] === name.charCodeAt(j)) j += 1;
    if (j === name.length) from = 1 + name.length;
  }
  if (from < 0) {
    const at = body.indexOf(key.afterCommaBytes);
    if (at < 0) return false;
    from = at + key.afterComma.length;
  }
  // A byte past the end reads as undefined, which is no character.
  if (body[from] !== 34 /* " */) return false;
  for (let j = 0; j < value.length; j += 1) {
    const c = value.charCodeAt(j);
    if (c >= 128 || c === 34 /* " */ || c === 92 /* backslash */ || body[from + 1 + j] !== c) return false;
  }
  return body[from + 1 + value.length] === 34;
}

/**
 * The first disagreement between a row's indexed columns and its body, or null. A body packed
 * without its row's values unpacks only when the row fits it (row-values.ts), and then agrees by
 * construction; it is checked the same way all the same (with `created_ms`, which is then the
 * record's deviceTimeMs), so that the two walks accept the same rows.
 */
function columnProblem(row: Row): string | null {
  const pairs: Array<[string, unknown, string]> = [
    ['record_id', row.record_id, 'evaluationId'],
    ['staff_id', row.staff_id, 'staffId'],
    ['status', row.status, 'status'],
    ['satisfaction', row.satisfaction, 'satisfaction'],
  ];
  if (row.withoutRowValues) pairs.push(['created_ms', row.created_ms, 'deviceTimeMs']);
  for (const [col, stored, key] of pairs) {
    const inBody = rawField(row.body, key);
    const expected = stored === null ? undefined : JSON.stringify(stored);
    if (inBody !== expected)
      return `column_mismatch: ${col} is ${JSON.stringify(stored)}, body says ${inBody ?? 'nothing'}`;
  }
  return null;
}

/** Why a body does not hash to its hash: not JSON, not a record, or an edited record. */
function hashProblem(row: Row): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.body);
  } catch {
    return 'body_unparseable';
  }
  const valid = platformRecordSchema.safeParse(
    parsed !== null && typeof parsed === 'object' ? { ...parsed, hash: row.hash } : parsed,
  );
  if (!valid.success) {
    const issue = valid.error.issues[0];
    const where = row.withoutRowValues
      ? ' (in the body with its row’s values: an edited body or column)'
      : '';
    return `body_invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema'}${where}`;
  }
  return row.withoutRowValues
    ? 'hash_mismatch: body with its row’s values does not hash to its hash (an edited body or column)'
    : 'hash_mismatch: body does not hash to its hash';
}

/**
 * Where a walk of the chain starts: after the retention anchor, or after a continuation's restart
 * (continuation.ts) when that is later — salvaged records below a restart are not a chain any
 * more and are not walked. `readAbove`: the rows read start below the start (all of them, unless
 * there is a restart), so a stray row at or before it shows.
 */
export function chainStart(db: Db, anchor: ChainAnchor): { start: ChainAnchor; readAbove: number } {
  const restart = readRestart(db);
  return restart !== null && restart.deviceSeq > anchor.deviceSeq
    ? { start: restart, readAbove: restart.deviceSeq }
    : { start: anchor, readAbove: -1 };
}

/** verifyChain's options. */
export interface VerifyOptions {
  /**
   * Stop after that record and skip the checks of the chain's end (retention checks only what it
   * is about to delete and the link to what stays).
   */
  throughSeq?: number;
  /** Called after the walk, before the chain's end is checked (tests: a pad sealing meanwhile). */
  onWalked?: () => void;
}

/**
 * The whole check runs in one read transaction: the anchor, every record and the chain's end are
 * read at one moment. A technician may verify while the pad seals ratings (`npm run verify` is
 * another process); read at two moments, records sealed in between looked like a missing tail.
 */
export function verifyChain(db: Db, opts: VerifyOptions = {}): VerifyResult {
  return db.transaction(() => verifyInOneSnapshot(db, opts))();
}

function verifyInOneSnapshot(db: Db, opts: VerifyOptions): VerifyResult {
  const anchor = readAnchor(db);
  if (anchor === 'invalid') {
    return {
      ok: false,
      firstBroken: {
        deviceSeq: 0,
        recordId: null,
        problem: 'bad_anchor: retention_anchor in meta is not {deviceSeq, hash}',
      },
      checked: 0,
    };
  }
  const { start, readAbove } = chainStart(db, anchor);
  let prevSeq = start.deviceSeq;
  let prevHash = start.hash;
  let count = 0;
  const broken = (deviceSeq: number, recordId: string | null, problem: string): VerifyResult => ({
    ok: false,
    firstBroken: { deviceSeq, recordId, problem },
    checked: count,
  });

  const throughSeq = opts.throughSeq ?? Number.MAX_SAFE_INTEGER;
  // The fast walk answers for a sound chain; only a chain it does not find clean is walked again
  // below, the careful way, to name its first problem.
  const walk = walkChainRange(walkEnv(), db, { readAbove, prevSeq, prevHash, throughSeq });
  opts.onWalked?.();
  if (walk.clean)
    return chainEnd(db, { count: walk.count, lastSeq: walk.lastSeq, lastHash: walk.lastHash }, opts);

  // Iterated, so prepared here (a shared statement could not run again while the walk is open).
  const rows = db
    .prepare(
      `SELECT device_seq, created_ms, record_id, staff_id, status, satisfaction,
              typeof(body) AS body_type, hex(body) AS body_hex,
              ${HASH_HEX_SQL} AS hash_hex
       FROM records WHERE device_seq > ? AND device_seq <= ? ORDER BY device_seq`,
    )
    .iterate(readAbove, throughSeq) as IterableIterator<StoredRow>;
  try {
    for (const stored of rows) {
      const seq = stored.device_seq;
      if (seq !== prevSeq + 1) {
        const problem =
          seq <= prevSeq
            ? `seq_mismatch: deviceSeq ${seq} at or before the anchor ${prevSeq}`
            : `seq_gap: records ${prevSeq + 1}..${seq - 1} are missing`;
        return broken(prevSeq + 1, stored.record_id, problem);
      }
      let text: string;
      const withoutRowValues = hexBodyWithoutRowValues(stored.body_type, stored.body_hex);
      const values: RowValues = [
        seq,
        stored.created_ms,
        stored.record_id,
        stored.satisfaction,
        stored.staff_id,
        stored.status,
      ];
      try {
        if (withoutRowValues) {
          // Its bytes, as the fast walk hashes them: text only if they are UTF-8.
          const bytes = unpackHexBodyBytes(stored.body_hex, values);
          if (!isUtf8(bytes)) return broken(seq, stored.record_id, 'body_unreadable: not UTF-8 text');
          text = bytes.toString('utf8');
        } else text = unpackHexBody(stored.body_type, stored.body_hex, values);
      } catch (err) {
        const why = err instanceof UnreadableBodyError ? err.reason : (err as Error).message;
        return broken(seq, stored.record_id, `body_unreadable: ${why}`);
      }
      const row: Row = {
        record_id: stored.record_id,
        created_ms: stored.created_ms,
        staff_id: stored.staff_id,
        status: stored.status,
        satisfaction: stored.satisfaction,
        body: text,
        hash: String(stored.hash_hex),
        withoutRowValues,
      };
      // The body is the exact text the hash covers: one SHA-256, no parsing on the good path.
      if (sha256Hex(row.body) !== row.hash) return broken(seq, row.record_id, hashProblem(row));
      const bodySeq = rawField(row.body, 'deviceSeq');
      if (bodySeq !== String(seq))
        return broken(seq, row.record_id, `seq_mismatch: body says deviceSeq ${bodySeq ?? 'nothing'}`);
      if (rawField(row.body, 'prevHash') !== `"${prevHash}"`)
        return broken(seq, row.record_id, 'prev_hash_mismatch: does not link to the previous record');
      const col = columnProblem(row);
      if (col !== null) return broken(seq, row.record_id, col);
      prevSeq = seq;
      prevHash = row.hash;
      count += 1;
    }
  } finally {
    rows.return?.();
  }
  return chainEnd(db, { count, lastSeq: prevSeq, lastHash: prevHash }, opts);
}

/** What a walk on this thread needs besides the database (chain-walk.ts; workers build their own). */
export function walkEnv(): WalkEnv {
  // The decoder's own methods, as a worker's walk has them: the walk only asks whether a body
  // unpacks, so the wrapping of its errors (a closure per record) is left out.
  const decoder = theDecoder();
  return {
    sha256Hex,
    unpackHex: decoder.hex,
    withoutRowValues: decoder.withoutRowValues,
    unpackHexBytes: decoder.hexBytes,
    sha256HexOfBytes: (bytes) => hash('sha256', bytes, 'hex'),
    isUtf8,
    bytesStringFieldIs,
    fieldIs,
    fieldNeedle,
  };
}

/**
 * The checks of the chain's end after a walk that found every record sound: the walk reached the
 * last deviceSeq meta records, and the last record is the chain head. Skipped for a `throughSeq`
 * walk (retention checks only what it is about to delete and the link to what stays).
 */
export function chainEnd(
  db: Db,
  walked: { count: number; lastSeq: number; lastHash: string },
  opts: { throughSeq?: number } = {},
): VerifyResult {
  const { count, lastSeq: walkedTo, lastHash: walkedHash } = walked;
  if (opts.throughSeq !== undefined) return { ok: true, count };
  const broken = (deviceSeq: number, problem: string): VerifyResult => ({
    ok: false,
    firstBroken: { deviceSeq, recordId: null, problem },
    checked: count,
  });
  const lastSeq = Number(getMeta(db, 'last_device_seq') ?? '0');
  const head = getMeta(db, 'chain_head') ?? GENESIS_HASH;
  if (lastSeq > walkedTo)
    return broken(walkedTo + 1, `missing_tail: records ${walkedTo + 1}..${lastSeq} are missing`);
  if (lastSeq !== walkedTo) return broken(walkedTo, `last_seq_mismatch: meta last_device_seq is ${lastSeq}`);
  if (head !== walkedHash)
    return broken(walkedTo, 'chain_head_mismatch: the last record is not the chain head');
  return { ok: true, count };
}
