import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical.js';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import { getMeta, type Db } from '../../../src/store/db.js';
import type { SyncService } from '../../../src/sync/index.js';
import { SETTLE_SLICE_RECORDS } from '../../../src/sync/uploader.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  missingOrDifferent,
  openPadDb,
  outboxStates,
  seedRecords,
  testSync,
  waitFor,
} from '../../unit/sync/fixtures.js';

describe('uploader against the simulator', () => {
  let sim: PlatformSim;
  let db: Db;
  let dir: string;
  let cleanup: () => void;
  const services: SyncService[] = [];
  const sims: PlatformSim[] = [];

  beforeEach(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = openPadDb(dir);
    sim = await startPlatformSim();
    sims.push(sim);
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    for (const s of sims.splice(0)) await s.close();
    db.close();
    cleanup();
  });
  const sync = (o: Parameters<typeof testSync>[3] = {}, url = sim.url) => {
    const s = testSync(db, dir, url, o);
    services.push(s);
    return s;
  };

  it('drains a backlog in batches of at most 500, in deviceSeq order, each record exactly as sealed', async () => {
    const recs = seedRecords(db, 1234);
    const s = sync();
    const st = await s.syncNow();
    expect(st.pending).toBe(0);
    expect(outboxStates(db)).toEqual({ delivered: 1234 });
    expect(sim.stats().batches).toBe(3);
    expect(missingOrDifferent(recs, sim.db, canonicalJson)).toEqual([]);
    const seqs = (
      sim.db.prepare('SELECT device_seq AS s FROM evaluations ORDER BY rowid').all() as Array<{ s: number }>
    ).map((r) => r.s);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(sim.stats().chainBreaks).toEqual([]);
    expect(st.lastAckMs).not.toBeNull();
    expect(getMeta(db, 'sync_inflight_batch')).toBe('');
  });

  it('reads and settles a batch a slice at a time: a key press waits for a slice, not a batch', async () => {
    seedRecords(db, 1000);
    // A chain of setImmediate callbacks stands in for key presses: each link is one turn of the
    // event loop the uploader let go by.
    let turns = 0;
    let counting = true;
    const turn = () => {
      turns += 1;
      if (counting) setImmediate(turn);
    };
    const seen: Array<{ point: string; turns: number }> = [];
    const s = sync({ extra: { hooks: { point: (point) => void seen.push({ point, turns }) } } });
    setImmediate(turn);
    await s.syncNow();
    counting = false;
    expect(outboxStates(db)).toEqual({ delivered: 1000 });
    const at = (point: string, nth: number) => seen.filter((p) => p.point === point)[nth]?.turns ?? NaN;
    // 500 records read in slices of 50: the loop turned between them before the batch went out.
    expect(at('before_send', 0)).toBeGreaterThanOrEqual(9);
    // Settling the answered batch: slices again, the loop free between them. The next batch, read
    // while the platform answered this one, went out before any of it was settled.
    expect(at('settled_part', 2) - at('after_response', 0)).toBeGreaterThanOrEqual(3);
    expect(seen.map((p) => p.point).slice(0, 4)).toEqual([
      'before_send',
      'after_response',
      'before_send',
      'settled_part',
    ]);
    expect(seen.filter((p) => p.point === 'settled_part').length).toBe(2 * (500 / SETTLE_SLICE_RECORDS - 1));
  });

  it('sends the next batch before settling the answered one, then settles it a bounded slice per commit', async () => {
    seedRecords(db, 1000);
    const steps: Array<{ point: string; batchId: string; delivered: number; mark: string }> = [];
    const s = sync({
      extra: {
        hooks: {
          point: (point, info) =>
            void steps.push({
              point,
              batchId: info.batchId,
              delivered: outboxStates(db).delivered ?? 0,
              mark:
                (JSON.parse(getMeta(db, 'sync_inflight_batch') || '{}') as { batchId?: string }).batchId ??
                '',
            }),
        },
      },
    });
    expect((await s.syncNow()).pending).toBe(0);
    const [first, answered, ahead, ...rest] = steps;
    expect([first?.point, answered?.point, ahead?.point]).toEqual([
      'before_send',
      'after_response',
      'before_send',
    ]);
    // The batch sent ahead went out with nothing of the answered batch settled yet, under its own
    // in-flight mark, which replaced the answered batch's.
    expect(ahead?.delivered).toBe(0);
    expect(ahead?.mark).toBe(ahead?.batchId);
    expect(ahead?.batchId).not.toBe(first?.batchId);
    // Each commit settles at most a slice; the batch sent ahead keeps its mark meanwhile.
    const parts = rest.filter((p) => p.batchId === first?.batchId && p.point === 'settled_part');
    expect(parts.map((p) => p.delivered)).toEqual(
      Array.from({ length: 500 / SETTLE_SLICE_RECORDS - 1 }, (_, i) => (i + 1) * SETTLE_SLICE_RECORDS),
    );
    for (const p of parts) expect(p.mark).toBe(ahead?.batchId);
    expect(outboxStates(db)).toEqual({ delivered: 1000 });
    expect(getMeta(db, 'sync_inflight_batch')).toBe('');
  });

  it('a stop while a batch is being read sends nothing more and ends at once', async () => {
    seedRecords(db, 1000);
    const s = testSync(db, dir, sim.url); // stopped by hand below, not by afterEach
    const syncing = s.syncNow();
    // The cycle is now between two slices of its first batch.
    const t0 = performance.now();
    await s.stop();
    await syncing;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(sim.stats().batches).toBe(0);
    expect(outboxStates(db)).toEqual({ pending: 1000 });
  });

  it('a stop while the batch sent ahead is in flight: nothing is lost, the restart sends that batch again under its batchId', async () => {
    seedRecords(db, 1000);
    let stopping: Promise<void> | null = null;
    let s: SyncService | null = null;
    const aheadIds: string[] = [];
    // The second `before_send` is the batch sent ahead, after the first slice of the first answer.
    let sends = 0;
    s = testSync(db, dir, sim.url, {
      extra: {
        hooks: {
          point: (point, info) => {
            if (point !== 'before_send' || ++sends !== 2) return;
            aheadIds.push(info.batchId);
            stopping = s?.stop() ?? null;
          },
        },
      },
    });
    await s.syncNow();
    await stopping;
    expect(aheadIds).toHaveLength(1);
    // The first batch was answered and settled before the stop ended; the one sent ahead is still
    // marked in flight, so the next start sends it again as it was.
    expect(JSON.parse(getMeta(db, 'sync_inflight_batch') || '{}').batchId).toBe(aheadIds[0]);
    expect(outboxStates(db)).toEqual({ delivered: 500, pending: 500 });
    const again = sync();
    expect((await again.syncNow()).pending).toBe(0);
    expect(outboxStates(db)).toEqual({ delivered: 1000 });
    expect(sim.stats().stored).toBe(1000);
  });

  it('an answer missing some results: those records go first in the next batch (nothing read ahead is sent before them)', async () => {
    seedRecords(db, 1000);
    // Between the pad and the platform: the first batch's answer loses its first three results.
    const firstSeqs: number[] = [];
    let answers = 0;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/v1/evaluations:batch')
          firstSeqs.push(
            (JSON.parse(body.toString('utf8')) as { records: Array<{ deviceSeq: number }> }).records[0]
              ?.deviceSeq ?? -1,
          );
        const up = http.request(
          sim.url + (req.url ?? '/'),
          { method: req.method, headers: req.headers },
          (r) => {
            const back: Buffer[] = [];
            r.on('data', (c: Buffer) => back.push(c));
            r.on('end', () => {
              let out = Buffer.concat(back);
              if (req.url === '/v1/evaluations:batch' && r.statusCode === 200 && answers++ === 0) {
                const answer = JSON.parse(out.toString('utf8')) as { results: unknown[] };
                answer.results = answer.results.slice(3);
                out = Buffer.from(JSON.stringify(answer));
              }
              const headers = { ...r.headers, 'content-length': String(out.length) };
              res.writeHead(r.statusCode ?? 502, headers);
              res.end(out);
            });
          },
        );
        up.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      const s = sync(
        { extra: { tuning: { backoff: { baseMs: 20, capMs: 300 } } } },
        `http://127.0.0.1:${port}`,
      );
      const st = await s.syncNow();
      expect(st.pending).toBe(0);
      expect(outboxStates(db)).toEqual({ delivered: 1000 });
      // 1–500, then the three without an answer (1, 2, 3) ahead of 501 and on.
      expect(firstSeqs.slice(0, 2)).toEqual([1, 1]);
      expect(sim.stats().stored).toBe(1000);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('keeps the body byte limit (long comments make batches smaller than the record limit)', async () => {
    // Scaled down 10x on both sides so that an overrun shows as a 413 from the simulator.
    const tight = await startPlatformSim({ limits: { maxBytes: 100_000 } });
    sims.push(tight);
    seedRecords(db, 300, { each: () => ({ satisfaction: 4, writingEvaluation: '很好'.repeat(250) }) });
    const s = sync({ extra: { tuning: { maxBatchBytes: 100_000 } } }, tight.url);
    await s.syncNow();
    expect(outboxStates(db)).toEqual({ delivered: 300 });
    expect(tight.stats().statuses['413']).toBeUndefined();
    expect(tight.stats().batches).toBeGreaterThanOrEqual(7); // ~2.2 KB a record: ~45 a batch
  });

  it('rejected records are kept, shown in status, and never resent', async () => {
    seedRecords(db, 3, { each: (i) => (i === 1 ? { satisfaction: 1, evalDetail: '' } : {}) });
    // A second pad already rated case 2: already_rated.
    seedRecords(db, 1, { from: 2, each: () => ({ evaluationId: 'OTHER-PAD-RATING' }) });
    const s = sync();
    const st = await s.syncNow();
    expect(st.pending).toBe(0);
    expect(st.rejected).toBe(2);
    const codes = st.rejectedItems.map((r) => r.code).sort();
    expect(codes).toEqual(['already_rated', 'invalid_field']);
    expect(st.rejectedItems.find((r) => r.code === 'invalid_field')?.message).toMatch(/^evalDetail:/);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM records`).get()).toEqual({ n: 4 });
    await s.syncNow();
    await s.syncNow();
    expect(sim.stats().records.rejected).toBe(2);
    expect(sim.stats().batches).toBe(1);
  });

  it('an urgent 差评 goes out at once; an ordinary record waits for the batch interval', async () => {
    // Wide margins on both sides: a loaded CI machine must not blur "at once" into "at the interval".
    const s = sync({ config: { batchIntervalMs: 4000 } });
    s.start();
    await waitFor(() => s.status().refdata.staff !== null);
    seedRecords(db, 1, { from: 100 });
    s.kick({ urgent: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(sim.stats().stored).toBe(0);
    seedRecords(db, 1, { from: 101, each: () => ({ satisfaction: 1 }) });
    const t0 = Date.now();
    s.kick({ urgent: true });
    await waitFor(() => sim.stats().stored === 2, 5000, 5);
    expect(Date.now() - t0).toBeLessThan(2000);
    // And the interval does pick up ordinary records by itself.
    seedRecords(db, 1, { from: 102 });
    s.kick({ urgent: false });
    await waitFor(() => sim.stats().stored === 3, 10_000);
  });

  it('413: halves the batch and still delivers everything', async () => {
    const small = await startPlatformSim({ limits: { maxRecords: 60 } });
    sims.push(small);
    seedRecords(db, 400);
    const s = sync({}, small.url);
    const st = await s.syncNow();
    expect(st.pending).toBe(0);
    expect(small.stats().statuses['413']).toBeGreaterThanOrEqual(1);
    expect(small.stats().stored).toBe(400);
    expect(small.stats().chainBreaks).toEqual([]);
  });

  it('413 for a single record: stops with needs-attention and does not resend the same body', async () => {
    const bad = await startPlatformSim({ limits: { maxRecords: 0 } as never });
    sims.push(bad);
    // maxRecords 0 makes every batch 413 → shrinks to 1 → a single record 413 is needs-attention too.
    seedRecords(db, 2);
    const s = sync({}, bad.url);
    const st = await s.syncNow();
    expect(st.lastError).toMatch(/^needs attention/);
    const batchesSent = bad.stats().statuses['413'] ?? 0;
    s.start();
    s.kick({ urgent: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(bad.stats().statuses['413'] ?? 0).toBe(batchesSent);
    expect(JSON.parse(getMeta(db, 'sync_attention') ?? '{}')).toMatchObject({ firstSeq: 1 });
    expect(outboxStates(db)).toEqual({ pending: 2 });
  });

  it('400 from the platform: needs attention, persisted across a restart of the same app version', async () => {
    seedRecords(db, 3);
    // Corrupt the stored body so the platform cannot read it as a batch (a pad bug).
    db.prepare(`UPDATE records SET body = '"not an object"' WHERE device_seq = 2`).run();
    const s = sync();
    const st = await s.syncNow();
    expect(st.lastError).toMatch(/needs attention: HTTP 400/);
    expect(sim.stats().statuses['400']).toBe(1);
    await s.stop();
    const again = sync();
    again.start();
    again.kick({ urgent: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.stats().statuses['400']).toBe(1);
    expect(again.status().lastError).toMatch(/needs attention/);
    // The technician's retry does send again (and meets the same 400).
    await again.syncNow();
    expect(sim.stats().statuses['400']).toBe(2);
  });

  it('429: honours Retry-After before the next attempt', async () => {
    seedRecords(db, 5);
    sim.setFaults({ rate429: 1, retryAfterS: 1, scope: 'batch' });
    const s = sync();
    // Measured from before the start: the 429 comes after it, so this is a lower bound that a
    // slow test machine (late polling) cannot break, unlike timing from when the 429 was noticed.
    const tStart = Date.now();
    s.start();
    await waitFor(() => (sim.stats().statuses['429'] ?? 0) >= 1, 5000, 5);
    sim.setFaults({ rate429: 0 });
    s.kick({ urgent: true }); // must not jump the queue either
    await waitFor(() => sim.stats().stored === 5, 5000, 5);
    expect(Date.now() - tStart).toBeGreaterThanOrEqual(950);
    await waitFor(() => s.status().pending === 0, 5000, 5);
  });

  it('5xx: backs off and retries the same batchId with the same records', async () => {
    seedRecords(db, 10);
    sim.setFaults({ dropAfterCommitRate: 1, scope: 'batch' });
    const s = sync();
    s.start();
    await waitFor(() => sim.stats().faults.drop >= 2, 5000, 5);
    const inflight = JSON.parse(getMeta(db, 'sync_inflight_batch') ?? '{}') as { batchId: string };
    sim.setFaults({ dropAfterCommitRate: 0, errorRate: 1 });
    await waitFor(() => sim.stats().faults.error >= 2, 5000, 5);
    sim.setFaults({ errorRate: 0 });
    await waitFor(() => s.status().pending === 0, 5000, 5);
    const st = sim.stats();
    expect(st.batches).toBe(1); // one batch stored, however often it was sent
    expect(st.batchReplays).toBeGreaterThanOrEqual(1);
    expect(st.records.duplicate).toBe(0); // replays answer from the stored results
    expect(
      (sim.db.prepare('SELECT DISTINCT batch_id AS b FROM evaluations').all() as Array<{ b: string }>).map(
        (r) => r.b,
      ),
    ).toEqual([inflight.batchId]);
  });

  it('a restart resends the persisted in-flight batch under the same batchId', async () => {
    seedRecords(db, 20);
    sim.setFaults({ dropAfterCommitRate: 1, scope: 'batch' });
    const s1 = sync();
    await s1.syncNow();
    const inflight = JSON.parse(getMeta(db, 'sync_inflight_batch') ?? '{}') as {
      batchId: string;
      firstSeq: number;
      lastSeq: number;
    };
    expect(inflight).toMatchObject({ firstSeq: 1, lastSeq: 20 });
    await s1.stop();
    sim.setFaults({ dropAfterCommitRate: 0 });
    const s2 = sync();
    await s2.syncNow();
    expect(outboxStates(db)).toEqual({ delivered: 20 });
    expect(sim.stats().batches).toBe(1);
    expect(sim.stats().batchReplays).toBe(1);
  });

  it('appeals go through the outbox after their record; results land in appeals', async () => {
    const [badRec, goodRec] = seedRecords(db, 2, {
      each: (i) => (i === 0 ? { satisfaction: 1 } : { satisfaction: 5 }),
    });
    const appeal = (recordId: string) => {
      const id = randomUUID();
      db.prepare(
        `INSERT INTO appeals (id, record_id, staff_id, reason, submitted_ms, deadline, status) VALUES (?, ?, 'T0107', ?, ?, '2026-10-09', 'queued')`,
      ).run(id, recordId, '群众误解了办理时限，已当场解释', Date.UTC(2026, 8, 30, 3, 0, 0));
      db.prepare(`INSERT INTO outbox (kind, ref, urgent, created_ms) VALUES ('appeal', ?, 1, ?)`).run(
        id,
        Date.now(),
      );
      return id;
    };
    const a1 = appeal(badRec!.evaluationId);
    const a2 = appeal(goodRec!.evaluationId);
    const s = sync();
    const st = await s.syncNow();
    expect(st.pending).toBe(0);
    const rows = db.prepare('SELECT id, status, result_code AS code FROM appeals').all() as Array<{
      id: string;
      status: string;
      code: string | null;
    }>;
    expect(rows.find((r) => r.id === a1)).toMatchObject({ status: 'accepted', code: null });
    expect(rows.find((r) => r.id === a2)).toMatchObject({ status: 'rejected', code: 'not_bad_review' });
    expect(st.rejectedItems.some((r) => r.kind === 'appeal' && r.code === 'not_bad_review')).toBe(true);
  });

  it('offline: keeps the records, reports the error and the next attempt, catches up when the platform returns', async () => {
    const port = Number(new URL(sim.url).port);
    await sim.close();
    seedRecords(db, 50);
    const s = sync({}, `http://127.0.0.1:${port}`);
    s.start();
    await waitFor(() => s.status().lastError !== null, 5000);
    const st = s.status();
    expect(st.online).toBe(false);
    expect(st.pending).toBe(50);
    expect(st.oldestPendingMs).not.toBeNull();
    expect(st.nextAttemptMs).not.toBeNull();
    // While records wait there is always a next attempt to show, also while one is under way.
    const unplanned: number[] = [];
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (s.status().nextAttemptMs === null) unplanned.push(i);
    }
    expect(unplanned).toEqual([]);
    const back = await startPlatformSim({ port });
    sims.push(back);
    await waitFor(() => s.status().pending === 0, 10_000);
    expect(back.stats().stored).toBe(50);
    expect(s.status().online).toBe(true);
  });
});
