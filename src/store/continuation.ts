import { GENESIS_HASH } from '../domain/canonical.js';
import { getMeta, setMeta, type Db } from './db.js';

/**
 * deviceSeq never goes back and is never reused (platform-api.md §2). A pad that lost records
 * (damaged or missing database, or a replacement pad taking over a device id) learns from the
 * platform's profile (§3, 1.1) the highest deviceSeq the platform accepted and that record's
 * hash, and continues above it with `prevHash = lastHash`.
 *
 * The jump is written to meta `chain_restart` ({deviceSeq, hash}); verifyChain walks the chain from
 * there. Records below it that a salvage brought back keep their original seq and hash.
 */

export interface DamageReport {
  /** when the damage was found and what SQLite said */
  detectedMs: number;
  reason: string;
  /** where the damaged file (with its -wal/-shm) now lies */
  keptAt: string;
  recoveredRecords: number;
  recoveredPending: number;
  /** the highest deviceSeq found in the salvaged rows or their meta; 0 when none */
  salvagedSeq: number;
  salvagedHash: string | null;
  salvageError: string | null;
}

export const DAMAGE_META_KEY = 'storage_damage';

export const SEQ_WAIT_KEY = 'seq_wait_platform';
export const CHAIN_RESTART_KEY = 'chain_restart';

export interface PlatformPosition {
  lastDeviceSeq: number;
  lastHash: string;
}

/** Marks the database as not knowing where its sequence continues: no new record until the platform says. */
export function markWaitingForPlatformSeq(db: Db): void {
  setMeta(db, SEQ_WAIT_KEY, '1');
}

export function waitingForPlatformSeq(db: Db): boolean {
  return getMeta(db, SEQ_WAIT_KEY) === '1';
}

export function readDamageReport(db: Db): DamageReport | null {
  const raw = getMeta(db, DAMAGE_META_KEY);
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as DamageReport;
  } catch {
    return null;
  }
}

export type ContinuationResult =
  { moved: false; lastDeviceSeq: number } | { moved: true; from: number; to: number; prevHash: string };

/**
 * Moves the local sequence above everything the platform or a salvage has seen. Idempotent;
 * one transaction; clears the wait mark.
 */
export function continueFromPlatform(db: Db, platform: PlatformPosition): ContinuationResult {
  return db.transaction((): ContinuationResult => {
    const local = Number(getMeta(db, 'last_device_seq') ?? '0');
    const top = db
      .prepare(
        'SELECT device_seq AS seq, record_hash(hash) AS hash FROM records ORDER BY device_seq DESC LIMIT 1',
      )
      .get() as { seq: number; hash: string } | undefined;
    const damage = waitingForPlatformSeq(db) ? readDamageReport(db) : null;
    const candidates: Array<{ seq: number; hash: string }> = [
      { seq: local, hash: getMeta(db, 'chain_head') ?? GENESIS_HASH },
      { seq: platform.lastDeviceSeq, hash: platform.lastHash },
    ];
    if (top) candidates.push({ seq: top.seq, hash: top.hash });
    if (damage && damage.salvagedSeq > 0)
      candidates.push({ seq: damage.salvagedSeq, hash: damage.salvagedHash ?? GENESIS_HASH });
    // The highest wins; on a tie the platform's hash (what it holds) comes first.
    let best = candidates[1] as { seq: number; hash: string };
    for (const c of candidates) if (c.seq > best.seq) best = c;
    setMeta(db, SEQ_WAIT_KEY, '0');
    if (best.seq <= local) return { moved: false, lastDeviceSeq: local };
    setMeta(db, 'last_device_seq', String(best.seq));
    setMeta(db, 'chain_head', best.hash);
    setMeta(db, CHAIN_RESTART_KEY, JSON.stringify({ deviceSeq: best.seq, hash: best.hash }));
    return { moved: true, from: local, to: best.seq, prevHash: best.hash };
  })();
}
