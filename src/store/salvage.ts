import { existsSync, readFileSync } from 'node:fs';
import { recordHash, sha256Hex } from '../domain/canonical.js';
import { hashHex, recordJson, unpackBody } from './record-codec.js';
import { sessionIdOf } from './record-ids.js';

/**
 * Page-level salvage of a damaged database file (https://sqlite.org/fileformat2.html): every page
 * of the file and every page image in its WAL is read as a table b-tree leaf, and its cells are
 * decoded as rows. Nothing needs the schema, the page tree or the freelist to be intact, so a
 * zeroed page costs only the rows on it.
 *
 * What is kept: rows shaped like `records` whose body hashes to its own `hash` and whose rowid is
 * its deviceSeq (self-checking, so a garbled row can never come back as a record); `outbox` rows
 * (to know which records were delivered); and the `meta` chain position. Chosen over the sqlite3
 * CLI's `.recover` because the Debian 12 build of it (3.40.1) fails with "SQL logic error" on
 * any file (it lacks the dbpage table), decisions 191.
 */

export interface SalvagedRecord {
  deviceSeq: number;
  recordId: string;
  evaluationId: string;
  projectNo: string;
  serviceNumber: number;
  staffId: string;
  status: string;
  satisfaction: number | null;
  body: string;
  prevHash: string;
  hash: string;
  createdMs: number;
}

export interface Salvage {
  records: Map<number, SalvagedRecord>;
  /** record ids the outbox rows say the platform holds (rows kept as 'delivered' before migration 5) */
  delivered: Set<string>;
  /** record ids seen in an outbox row still pending or rejected, in any page version */
  undelivered: Set<string>;
  /** the highest meta acked_through_seq seen: records up to it had left the pending state */
  ackedThrough: number;
  /** the highest meta last_device_seq seen in any page version */
  metaSeq: number;
  pagesRead: number;
}

type Value = null | number | string | Buffer;

export function salvageFile(dbPath: string): Salvage {
  const out: Salvage = {
    records: new Map(),
    delivered: new Set(),
    undelivered: new Set(),
    ackedThrough: 0,
    metaSeq: 0,
    pagesRead: 0,
  };
  let pageSize = 4096;
  if (existsSync(dbPath)) {
    const file = readFileSync(dbPath);
    const declared = file.length >= 18 ? file.readUInt16BE(16) : 0;
    if (declared === 1) pageSize = 65536;
    else if (declared >= 512 && (declared & (declared - 1)) === 0) pageSize = declared;
    for (let off = 0; off + 8 <= file.length; off += pageSize) {
      scanPage(file.subarray(off, Math.min(off + pageSize, file.length)), off === 0 ? 100 : 0, pageSize, out);
    }
  }
  const walPath = `${dbPath}-wal`;
  if (existsSync(walPath)) {
    const wal = readFileSync(walPath);
    const walPage = wal.length >= 32 ? wal.readUInt32BE(8) : 0;
    const size = walPage >= 512 && walPage <= 65536 ? walPage : pageSize;
    // Every frame, also those behind a damaged one: rows are checked one by one below.
    for (let off = 32; off + 24 + 8 <= wal.length; off += 24 + size) {
      const pgno = wal.readUInt32BE(off);
      const page = wal.subarray(off + 24, Math.min(off + 24 + size, wal.length));
      scanPage(page, pgno === 1 ? 100 : 0, size, out);
    }
  }
  return out;
}

function scanPage(page: Buffer, headerAt: number, pageSize: number, out: Salvage): void {
  if (page.length < headerAt + 8 || page[headerAt] !== 0x0d) return;
  out.pagesRead += 1;
  const cells = page.readUInt16BE(headerAt + 3);
  const usable = pageSize;
  const maxLocal = usable - 35;
  for (let i = 0; i < cells; i++) {
    const ptrAt = headerAt + 8 + 2 * i;
    if (ptrAt + 2 > page.length) return;
    const cellAt = page.readUInt16BE(ptrAt);
    try {
      const [payloadLen, a] = varint(page, cellAt);
      const [rowid, b] = varint(page, a);
      if (payloadLen > maxLocal) continue; // overflow chains are not followed: records are far smaller
      if (b + payloadLen > page.length || payloadLen <= 0) continue;
      const row = decodeRecord(page.subarray(b, b + payloadLen));
      if (row) classify(row, rowid, out);
    } catch {
      /* a garbled cell: skip it */
    }
  }
}

function classify(row: Value[], rowid: number, out: Salvage): void {
  // records: device_seq (rowid alias, stored NULL), record_id … created_ms: 12 columns
  if (row.length === 12 && row[0] === null && typeof row[8] === 'string') {
    const [
      ,
      recordId,
      evaluationId,
      projectNo,
      serviceNumber,
      staffId,
      status,
      satisfaction,
      body,
      prevHash,
      hash,
      createdMs,
    ] = row;
    if (out.records.has(rowid)) return;
    try {
      const parsed = JSON.parse(body as string) as Record<string, unknown>;
      if (parsed.deviceSeq !== rowid || parsed.hash !== hash || recordHash(parsed) !== hash) return;
    } catch {
      return;
    }
    if (typeof recordId !== 'string' || typeof hash !== 'string' || typeof prevHash !== 'string') return;
    out.records.set(rowid, {
      deviceSeq: rowid,
      recordId,
      evaluationId: String(evaluationId),
      projectNo: String(projectNo),
      serviceNumber: Number(serviceNumber),
      staffId: String(staffId),
      status: String(status),
      satisfaction: typeof satisfaction === 'number' ? satisfaction : null,
      body: body as string,
      prevHash,
      hash,
      createdMs: typeof createdMs === 'number' ? createdMs : 0,
    });
    return;
  }
  // records since migration 4: device_seq (NULL), record_id, evaluation_id, staff_id, status,
  // satisfaction, body (the canonical bytes the hash covers), hash, created_ms: 9 columns
  if (row.length === 9 && row[0] === null && typeof row[6] === 'string' && typeof row[7] === 'string') {
    const [, recordId, evaluationId, staffId, status, satisfaction, hashed, hash, createdMs] = row;
    if (out.records.has(rowid) || typeof recordId !== 'string') return;
    if (sha256Hex(hashed as string) !== hash) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(hashed as string) as Record<string, unknown>;
    } catch {
      return;
    }
    if (parsed.deviceSeq !== rowid || typeof parsed.prevHash !== 'string') return;
    out.records.set(rowid, {
      deviceSeq: rowid,
      recordId,
      evaluationId: String(evaluationId),
      projectNo: String(parsed.projectNo),
      serviceNumber: Number(parsed.serviceNumber),
      staffId: String(staffId),
      status: String(status),
      satisfaction: typeof satisfaction === 'number' ? satisfaction : null,
      body: `${(hashed as string).slice(0, -1)},"hash":"${hash as string}"}`,
      prevHash: parsed.prevHash,
      hash: hash as string,
      createdMs: typeof createdMs === 'number' ? createdMs : 0,
    });
    return;
  }
  // records since migration 5: device_seq (NULL), record_id, staff_id, status, satisfaction,
  // body (packed, record-codec.ts), hash (32 bytes), created_ms: 8 columns
  if (row.length === 8 && row[0] === null && typeof row[1] === 'string' && row[5] !== null) {
    const [, recordId, staffId, status, satisfaction, packed, storedHash, createdMs] = row;
    if (out.records.has(rowid) || typeof recordId !== 'string') return;
    let hashed: string;
    try {
      // A body packed since version 2 is put back together from this row's values (row-values.ts).
      hashed = unpackBody(packed, [rowid, createdMs, recordId, satisfaction, staffId, status]);
    } catch {
      return;
    }
    const hash = hashHex(storedHash);
    if (sha256Hex(hashed) !== hash) return;
    const parsed = parseObject(hashed);
    if (parsed === null || parsed.deviceSeq !== rowid || typeof parsed.prevHash !== 'string') return;
    out.records.set(rowid, {
      deviceSeq: rowid,
      recordId,
      evaluationId: typeof parsed.evaluationId === 'string' ? sessionIdOf(parsed.evaluationId) : recordId,
      projectNo: String(parsed.projectNo),
      serviceNumber: Number(parsed.serviceNumber),
      staffId: String(staffId),
      status: String(status),
      satisfaction: typeof satisfaction === 'number' ? satisfaction : null,
      body: recordJson(hashed, hash),
      prevHash: parsed.prevHash,
      hash,
      createdMs: typeof createdMs === 'number' ? createdMs : 0,
    });
    return;
  }
  // outbox: id (NULL), kind, ref, device_seq, urgent, state, …
  if (row.length >= 11 && row[0] === null && row[1] === 'record' && typeof row[2] === 'string') {
    if (row[5] === 'delivered') out.delivered.add(row[2]);
    else out.undelivered.add(row[2]);
    return;
  }
  // meta: key, value
  if (row.length === 2 && typeof row[0] === 'string' && typeof row[1] === 'string') {
    const n = Number(row[1]);
    if (!Number.isSafeInteger(n)) return;
    if (row[0] === 'last_device_seq' && n > out.metaSeq) out.metaSeq = n;
    if (row[0] === 'acked_through_seq' && n > out.ackedThrough) out.ackedThrough = n;
  }
}

function decodeRecord(p: Buffer): Value[] | null {
  const [headerLen, start] = varint(p, 0);
  if (headerLen > p.length) return null;
  const types: number[] = [];
  let at = start;
  while (at < headerLen) {
    const [t, next] = varint(p, at);
    types.push(t);
    at = next;
  }
  const values: Value[] = [];
  let v = headerLen;
  for (const t of types) {
    if (t === 0) values.push(null);
    else if (t >= 1 && t <= 6) {
      const len = [0, 1, 2, 3, 4, 6, 8][t] as number;
      if (v + len > p.length) return null;
      values.push(len === 8 ? Number(p.readBigInt64BE(v)) : p.readIntBE(v, len));
      v += len;
    } else if (t === 7) {
      if (v + 8 > p.length) return null;
      values.push(p.readDoubleBE(v));
      v += 8;
    } else if (t === 8 || t === 9) values.push(t - 8);
    else if (t >= 12) {
      const len = t % 2 === 0 ? (t - 12) / 2 : (t - 13) / 2;
      if (v + len > p.length) return null;
      const bytes = p.subarray(v, v + len);
      values.push(t % 2 === 0 ? Buffer.from(bytes) : bytes.toString('utf8'));
      v += len;
    } else return null;
  }
  return values;
}

function varint(b: Buffer, at: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    const byte = b[at + i];
    if (byte === undefined) throw new RangeError('varint past the end');
    if (i === 8) return [v * 256 + byte, at + 9];
    v = v * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [v, at + i + 1];
  }
  return [v, at + 9];
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
