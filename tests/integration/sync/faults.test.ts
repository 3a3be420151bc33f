import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical.js';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import type { Db } from '../../../src/store/db.js';
import { markDelivered } from '../../../src/store/outbox.js';
import type { SyncService } from '../../../src/sync/index.js';
import { startFaultProxy, type FaultMix, type FaultProxy } from '../../emulators/fault-proxy.js';
import { seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  missingOrDifferent,
  openPadDb,
  outboxStates,
  seedRecords,
  testSync,
  waitFor,
} from '../../unit/sync/fixtures.js';

/** Faults on well over half of all connections: resets, answers lost after commit, 503, 429, stalls, trickle. */
const HEAVY: FaultMix = { reset: 0.12, drop: 0.2, '503': 0.1, '429': 0.05, stall: 0.1, trickle: 0.05 };

describe('delivery through a fault-injecting proxy', () => {
  let sim: PlatformSim;
  let proxy: FaultProxy;
  let db: Db;
  let dir: string;
  let cleanup: () => void;
  let service: SyncService | null = null;

  beforeEach(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = openPadDb(dir);
    sim = await startPlatformSim();
    proxy = await startFaultProxy({
      target: sim.url,
      modes: HEAVY,
      retryAfterS: 0,
      trickleBytesPerS: 20_000,
      // Seeded: the k-th connection always draws the same fault. With this seed the first ten
      // include a reset, a stall and a lost answer, and over any first n ≥ 10 connections more
      // than half are faulty — so the checks below cannot pass or fail by luck (with
      // Math.random, by a binomial estimate, about one run in ten drew too few faults in the ~35
      // connections a run makes).
      random: seededRandom(8),
    });
  });
  afterEach(async () => {
    await service?.stop();
    service = null;
    await proxy.close();
    await sim.close();
    db.close();
    cleanup();
  });

  const run = async (n: number, onSend?: (batch: { firstSeq: number; lastSeq: number }) => void) => {
    const recs = seedRecords(db, n);
    service = testSync(db, dir, proxy.url, {
      config: { requestTimeoutMs: 400, batchIntervalMs: 50, refdataRefreshMin: 600 },
      extra: {
        tuning: { backoff: { baseMs: 10, capMs: 150 }, maxBatchRecords: 50, statusThrottleMs: 50 },
        ...(onSend
          ? { hooks: { point: (name, b) => (name === 'before_send' ? onSend(b) : undefined) } }
          : {}),
      },
    });
    service.start();
    // Under faults until most of the backlog has gone, then a clean network to drain the rest.
    const s = service;
    await waitFor(
      () => sim.stats().stored >= n * 0.7 || s.status().pending === 0 || proxy.stats().connections > 600,
      40_000,
      20,
    );
    const underFaults = proxy.stats();
    proxy.setModes({});
    await waitFor(() => s.status().pending === 0, 20_000, 20);
    return { recs, underFaults };
  };

  it('1,000 records arrive exactly once, unchanged and in order, and the outbox drains', async () => {
    const { recs, underFaults: p } = await run(1000);
    const faulty = p.connections - p.byMode.pass;
    expect(faulty / p.connections).toBeGreaterThanOrEqual(0.5);
    expect(p.byMode.drop).toBeGreaterThan(0);
    expect(p.byMode.reset).toBeGreaterThan(0);
    expect(p.byMode.stall).toBeGreaterThan(0);
    expect(missingOrDifferent(recs, sim.db, canonicalJson)).toEqual([]);
    expect(sim.stats().stored).toBe(1000);
    expect(sim.stats().chainBreaks).toEqual([]);
    expect(outboxStates(db)).toEqual({ delivered: 1000 });
    expect(sim.stats().batchReplays).toBeGreaterThan(0); // lost answers were recovered by resending the same batchId
    console.log(
      `faults: ${JSON.stringify({ underFaults: p, sim: { ...sim.stats(), chainBreaks: undefined } })}`,
    );
  });

  it('the harness catches a broken pad that marks a batch delivered before the platform confirmed it', async () => {
    // Every connection fails before the platform sees it, so the broken pad loses its first batch
    // for certain (with the random HEAVY mix, all six batches got through unharmed about one run
    // in twenty, and the check then had nothing to catch).
    proxy.setModes({ '503': 0.5, reset: 0.5 });
    const { recs } = await run(300, (b) => {
      const refs = (
        db
          .prepare(`SELECT ref FROM outbox WHERE kind = 'record' AND device_seq BETWEEN ? AND ?`)
          .all(b.firstSeq, b.lastSeq) as Array<{ ref: string }>
      ).map((r) => r.ref);
      markDelivered(db, refs, Date.now());
    });
    expect(outboxStates(db)).toEqual({ delivered: 300 });
    expect(missingOrDifferent(recs, sim.db, canonicalJson).length).toBeGreaterThan(0);
  });
});
