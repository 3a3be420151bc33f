import { GENESIS_HASH, canonicalJson, sha256Hex } from '../domain/canonical.js';
import { isBadLead, type PlatformRecord, type UnsealedRecord } from '../domain/record.js';
import { getMetas, setMeta, type Db } from './db.js';
import { hashBlob, packBody } from './record-codec.js';
import { rowValueColumns } from './row-values.js';

/**
 * A stored record as the platform gets it, in SQL: the canonical body with its hash added
 * (record-codec.ts `recordJson`). `alias`: '' or the alias of `records` in the query.
 */
export function recordJsonSql(alias: string): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `record_json(${a}body, ${a}hash, ${rowValueColumns(alias)})`;
}

/** A stored record's canonical text (what its hash covers), in SQL; `alias` as for recordJsonSql. */
export function recordTextSql(alias: string): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `record_text(${a}body, ${rowValueColumns(alias)})`;
}

/** The four meta values sealing depends on. */
const SEALING_META_KEYS = ['seq_wait_platform', 'decommissioned', 'last_device_seq', 'chain_head'] as const;

/**
 * Seals records into the hash chain and queues them for upload. Must be called inside the same
 * transaction as the evaluation change it belongs to, so a record and its outbox row exist
 * together or not at all. deviceSeq and the chain head live in `meta` so they survive retention
 * deleting old delivered rows.
 */
export function appendRecords(db: Db, records: UnsealedRecord[], nowMs: number): PlatformRecord[] {
  if (!db.inTransaction) throw new Error('appendRecords must run inside a transaction');
  // After a rebuild the next number is unknown until the platform says (continuation.ts).
  // The four values sealing depends on, in one read (this runs on every key press).
  const meta = getMetas(db, SEALING_META_KEYS);
  if (meta.get('seq_wait_platform') === '1') throw new SequenceUnknownError();
  // A decommissioned pad handed its numbers to its successor (handover.ts): a pad still running
  // on this database after `decommission` must not seal one of them again.
  if (meta.has('decommissioned')) throw new SealingEndedError();
  let lastSeq = Number(meta.get('last_device_seq') ?? '0');
  let prevHash = meta.get('chain_head') ?? GENESIS_HASH;
  const insertRecord = db.prepare(
    `INSERT INTO records (device_seq, record_id, staff_id, status, satisfaction, body, hash, created_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertOutbox = db.prepare(
    `INSERT INTO outbox (kind, ref, device_seq, urgent, created_ms) VALUES ('record', ?, ?, ?, ?)`,
  );
  const sealed: PlatformRecord[] = [];
  for (const unsealed of records) {
    lastSeq += 1;
    const withChain = { ...unsealed, deviceSeq: lastSeq, prevHash };
    // The canonical text is made once: it is both what the hash covers and what is stored.
    const hashed = canonicalJson(withChain);
    const hash = sha256Hex(hashed);
    const record = { ...withChain, hash } as PlatformRecord;
    const satisfaction = record.satisfaction ?? null;
    // Packed without the values the row keeps as columns (row-values.ts).
    const row = [lastSeq, nowMs, record.evaluationId, satisfaction, record.staffId, record.status] as const;
    insertRecord.run(
      lastSeq,
      record.evaluationId,
      record.staffId,
      record.status,
      satisfaction,
      packBody(hashed, row),
      hashBlob(hash),
      nowMs,
    );
    // 差评即时响应: every 差评 lead goes out at once, whichever step produced it.
    const urgent = isBadLead(record) ? 1 : 0;
    insertOutbox.run(record.evaluationId, lastSeq, urgent, nowMs);
    prevHash = hash;
    sealed.push(record);
  }
  setMeta(db, 'last_device_seq', String(lastSeq));
  setMeta(db, 'chain_head', prevHash);
  return sealed;
}

export function readRecord(db: Db, recordId: string): PlatformRecord | undefined {
  const row = db
    .prepare(`SELECT ${recordJsonSql('')} AS json FROM records WHERE record_id = ?`)
    .get(recordId) as { json: string } | undefined;
  return row ? (JSON.parse(row.json) as PlatformRecord) : undefined;
}

export class SealingEndedError extends Error {
  readonly code = 'HCP_DECOMMISSIONED';
  constructor() {
    super('本评价器已退役，不再生成记录 / this pad was decommissioned: it seals no more records');
    this.name = 'SealingEndedError';
  }
}

export class SequenceUnknownError extends Error {
  readonly code = 'HCP_SEQ_UNKNOWN';
  constructor() {
    super(
      '数据库已重建，等待平台序号 / database rebuilt: waiting for the platform sequence before sealing records',
    );
    this.name = 'SequenceUnknownError';
  }
}
