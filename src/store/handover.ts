import { GENESIS_HASH } from '../domain/canonical.js';
import {
  signHandover,
  HANDOVER_FORMAT,
  HandoverRefused,
  type HandoverFile,
} from '../domain/handover-file.js';
import { adoptSealedRecords } from './adopt.js';
import { continueFromPlatform } from './continuation.js';
import { getMeta, setMeta, type Db } from './db.js';
import { sessionIdOf } from './record-ids.js';
import { recordJsonSql } from './records.js';
import type { PlatformRecord } from '../domain/record.js';

/**
 * Replacing a pad without losing a rating (docs/technician.md, "Replacing a pad"): the old pad
 * is decommissioned — refused while records wait for the platform, unless they are exported —
 * and the new pad, provisioned with the same device id, takes the exported records over and
 * continues the chain above the old pad's last deviceSeq. The platform's profile
 * (`lastDeviceSeq`/`lastHash`, continuation.ts) is the second guard against reusing a number.
 */

export const DECOMMISSIONED_KEY = 'decommissioned';
const IMPORTED_KEY = 'handover_imported';

export interface HandoverState {
  pendingRecords: number;
  rejectedRecords: number;
  pendingAppeals: number;
  oldestPendingMs: number | null;
  lastDeviceSeq: number;
  lastHash: string;
  decommissionedMs: number | null;
}

export function handoverState(db: Db): HandoverState {
  const row = db
    .prepare(
      `SELECT
         (SELECT COUNT(*) FROM outbox WHERE kind = 'record' AND state = 'pending') AS pendingRecords,
         (SELECT COUNT(*) FROM outbox WHERE kind = 'record' AND state = 'rejected') AS rejectedRecords,
         (SELECT COUNT(*) FROM outbox WHERE kind = 'appeal' AND state = 'pending') AS pendingAppeals,
         (SELECT MIN(created_ms) FROM outbox WHERE kind = 'record' AND state = 'pending') AS oldestPendingMs`,
    )
    .get() as Omit<HandoverState, 'lastDeviceSeq' | 'lastHash' | 'decommissionedMs'>;
  const decommissioned = getMeta(db, DECOMMISSIONED_KEY);
  return {
    ...row,
    lastDeviceSeq: Number(getMeta(db, 'last_device_seq') ?? '0'),
    lastHash: getMeta(db, 'chain_head') ?? GENESIS_HASH,
    decommissionedMs: decommissioned === undefined ? null : Number(decommissioned),
  };
}

/** The undelivered records, exactly as sealed, and the chain position: signed for the new pad. */
export function exportHandover(
  db: Db,
  who: { deviceId: string; windowNo: string; secretBase64: string },
  nowMs: number,
): HandoverFile {
  const rows = db
    .prepare(
      `SELECT ${recordJsonSql('r')} AS json, r.created_ms AS createdMs
       FROM outbox o JOIN records r ON r.record_id = o.ref
       WHERE o.kind = 'record' AND o.state = 'pending' ORDER BY r.device_seq`,
    )
    .all() as Array<{ json: string; createdMs: number }>;
  const state = handoverState(db);
  return signHandover(
    {
      format: HANDOVER_FORMAT,
      deviceId: who.deviceId,
      windowNo: who.windowNo,
      exportedAt: new Date(nowMs).toISOString(),
      lastDeviceSeq: state.lastDeviceSeq,
      lastHash: state.lastHash,
      records: rows.map((r) => ({ createdMs: r.createdMs, record: JSON.parse(r.json) as PlatformRecord })),
    },
    who.secretBase64,
  );
}

/** From now on this database seals nothing: the pad refuses to start on it (core.ts). */
export function markDecommissioned(db: Db, nowMs: number): void {
  setMeta(db, DECOMMISSIONED_KEY, String(nowMs));
}

export interface TakeOverResult {
  adopted: number;
  alreadyHere: number;
  /** the deviceSeq this pad's next record follows */
  continuesAfter: number;
}

/**
 * Takes a checked handover file (domain/handover-file.ts readHandover) into this pad's database:
 * its records go out as this pad's pending uploads with their original numbers and hashes, and
 * this pad's sequence continues above the old pad's last one. Refused when this pad already
 * sealed records of its own in the old pad's range (they would reuse numbers). Running it twice
 * is harmless.
 */
export function takeOverHandover(db: Db, file: HandoverFile, nowMs: number): TakeOverResult {
  return db.transaction((): TakeOverResult => {
    const clash = db
      .prepare(
        `SELECT record_id AS id, device_seq AS seq, record_hash(hash) AS hash FROM records WHERE device_seq <= ?`,
      )
      .all(file.lastDeviceSeq) as Array<{ id: string; seq: number; hash: string }>;
    const fromFile = new Map(file.records.map((r) => [r.record.deviceSeq, r.record.hash]));
    const own = clash.filter((c) => fromFile.get(c.seq) !== c.hash);
    if (own.length > 0)
      throw new HandoverRefused(
        `本机已生成序号 ${own[0]?.seq ?? ''} 等 ${own.length} 条自己的记录，与旧评价器的序号重叠：请在空的数据目录上接管 / ` +
          `this pad already sealed ${own.length} records of its own in the old pad's range (deviceSeq ${own[0]?.seq ?? ''}…): take over on an empty data directory`,
      );
    const adopted = adoptSealedRecords(
      db,
      file.records.map(({ record, createdMs }) => ({
        deviceSeq: record.deviceSeq,
        recordId: record.evaluationId,
        evaluationId: sessionIdOf(record.evaluationId),
        staffId: record.staffId,
        status: record.status,
        satisfaction: record.satisfaction ?? null,
        body: JSON.stringify(record),
        hash: record.hash,
        createdMs,
      })),
      () => false,
    );
    const r = continueFromPlatform(db, { lastDeviceSeq: file.lastDeviceSeq, lastHash: file.lastHash });
    setMeta(
      db,
      IMPORTED_KEY,
      JSON.stringify({ exportedAt: file.exportedAt, records: file.records.length, atMs: nowMs }),
    );
    return {
      adopted,
      alreadyHere: file.records.length - adopted,
      continuesAfter: r.moved ? r.to : r.lastDeviceSeq,
    };
  })();
}

/** The pad was decommissioned on this data directory: it must not seal another number. */
export class PadDecommissionedError extends Error {
  readonly code = 'HCP_DECOMMISSIONED';
  constructor(atMs: number, dataDir: string) {
    super(
      `本评价器已于 ${new Date(atMs).toISOString()} 退役，设备号已交给新评价器 / this pad was decommissioned at ` +
        `${new Date(atMs).toISOString()} and its device id handed over: to use it again, provision it afresh ` +
        `(hcp-kiosk serve --setup) with a new data directory instead of ${dataDir}.`,
    );
  }
}

/** Throws PadDecommissionedError for a decommissioned database. */
export function refuseIfDecommissioned(db: Db, dataDir: string): void {
  const at = getMeta(db, DECOMMISSIONED_KEY);
  if (at !== undefined) throw new PadDecommissionedError(Number(at), dataDir);
}
