import { setMeta, type Db } from './db.js';
import { RETENTION_ANCHOR_KEY, verifyChain, type ChainAnchor } from './verify.js';

/**
 * Retention: the pad keeps delivered records only as long as configured. Deletion removes a
 * prefix of the chain, so the rest stays one unbroken chain; the last deleted record's
 * {deviceSeq, hash} goes to meta `retention_anchor` and verifyChain starts from there.
 *
 * Stops at the first record that is pending or rejected (a rejected one is kept for the
 * technician, docs/protocols/platform-api.md §2) or too young, and keeps everything after it even if it is
 * delivered and old. Refuses to prune when the part to delete, or its link to the first record
 * kept, does not verify: deleting would destroy the evidence. A break further on stays where it
 * is, and verifyChain still reports it. `keepDays` should exceed the longest appeal period (bad reviews are read from
 * records); the figures fall back to the case rows for pruned records.
 */

export class ChainBrokenError extends Error {
  constructor(readonly problem: string) {
    super(`哈希链校验失败，未清理 / the hash chain does not verify, nothing pruned: ${problem}`);
    this.name = 'ChainBrokenError';
  }
}

export interface PruneResult {
  deleted: number;
  anchor: ChainAnchor | null;
}

export function pruneDelivered(db: Db, opts: { keepDays: number; nowMs: number }): PruneResult {
  if (!Number.isFinite(opts.keepDays) || opts.keepDays < 0)
    throw new RangeError(`keepDays must be ≥ 0: ${opts.keepDays}`);
  const cutoffMs = opts.nowMs - opts.keepDays * 86_400_000;
  return db.transaction((): PruneResult => {
    const rows = db
      .prepare(
        `SELECT r.device_seq AS deviceSeq, record_hash(r.hash) AS hash, r.created_ms AS createdMs,
           (SELECT o.state FROM outbox o WHERE o.kind = 'record' AND o.ref = r.record_id) AS state
         FROM records r ORDER BY r.device_seq`,
      )
      .iterate() as IterableIterator<{
      deviceSeq: number;
      hash: string;
      createdMs: number;
      state: string | null;
    }>;
    let last: ChainAnchor | null = null;
    for (const row of rows) {
      // no outbox row: delivered (outbox.ts markDelivered); 'delivered' rows from before migration 5
      if ((row.state !== null && row.state !== 'delivered') || row.createdMs >= cutoffMs) {
        rows.return?.();
        break;
      }
      last = { deviceSeq: row.deviceSeq, hash: row.hash };
    }
    if (last === null) return { deleted: 0, anchor: null };
    // What is deleted must verify, and so must the first record kept (its link to the anchor);
    // the rest of the chain is not touched, so it is not walked here (a million-record chain would
    // hold the pad for seconds at every start).
    const check = verifyChain(db, { throughSeq: last.deviceSeq + 1 });
    if (!check.ok) {
      const b = check.firstBroken;
      throw new ChainBrokenError(`deviceSeq ${b.deviceSeq}: ${b.problem}`);
    }
    db.prepare(
      `DELETE FROM outbox WHERE kind = 'record' AND ref IN (SELECT record_id FROM records WHERE device_seq <= ?)`,
    ).run(last.deviceSeq);
    const deleted = db.prepare('DELETE FROM records WHERE device_seq <= ?').run(last.deviceSeq).changes;
    setMeta(db, RETENTION_ANCHOR_KEY, JSON.stringify(last));
    return { deleted, anchor: last };
  })();
}
