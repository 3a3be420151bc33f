import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/canonical.js';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import { getMeta } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/tmp.js';
import { missingOrDifferent, openPadDb, outboxStates, seedRecords } from '../../unit/sync/fixtures.js';

const CHILD = join(import.meta.dirname, 'kill-child.ts');

/** Runs the child; with a pause point, SIGKILLs it as soon as it reports the point. */
function runChild(env: Record<string, string>): Promise<{ line: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let line = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (err += c));
    child.stdout.on('data', (c: string) => {
      out += c;
      const m = /^(PAUSED .*|DONE .*)$/m.exec(out);
      if (m && !line) {
        line = m[1] as string;
        if (line.startsWith('PAUSED')) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!line) reject(new Error(`child ended without a report (code ${code}, signal ${signal}): ${err}`));
      else resolve({ line, killed: signal === 'SIGKILL' });
    });
  });
}

/**
 * A pad of its own and a platform of its own for one test: `seed` fills the pad's database, then
 * `test` runs with the child's environment (and `extra` in it), the platform and the data dir.
 */
async function withOwnPad<T>(
  seed: (db: ReturnType<typeof openPadDb>) => T,
  test: (ctx: { env: Record<string, string>; sim: PlatformSim; dir: string; seeded: T }) => Promise<void>,
  extra: Record<string, string> = {},
): Promise<void> {
  const sim = await startPlatformSim();
  const t = tempDir();
  try {
    const db = openPadDb(t.dir);
    const seeded = seed(db);
    db.close();
    await test({ env: { HCP_SIM_URL: sim.url, HCP_PAD_DIR: t.dir, ...extra }, sim, dir: t.dir, seeded });
  } finally {
    await sim.close();
    t.cleanup();
  }
}

/** `n` records from `from`, record `bad` a 差评 without its detail: the platform rejects it (invalid_field). */
function seedWithOneRejected(from: number, n: number, bad: number) {
  return (db: ReturnType<typeof openPadDb>) =>
    seedRecords(db, n, { from, each: (i) => (i === bad ? { satisfaction: 1, evalDetail: '' } : {}) });
}

/** A restart runs to the end; the platform then holds the rest and has refused the one, once. */
async function expectRestStoredOneRejected(env: Record<string, string>, sim: PlatformSim, stored: number) {
  expect((await runChild(env)).line).toBe('DONE 0');
  expect(sim.stats().records.rejected).toBe(1);
  expect(sim.stats().stored).toBe(stored);
}

describe('killing the pad at injected points', () => {
  let sim: PlatformSim;
  let dir: string;
  let cleanup: () => void;
  beforeAll(async () => {
    sim = await startPlatformSim();
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
  });
  afterAll(async () => {
    await sim.close();
    cleanup();
  });

  it('loses nothing and duplicates nothing; a restarted pad resends the same batchId', async () => {
    const db = openPadDb(dir);
    const recs = seedRecords(db, 1000);
    db.close();
    const env = { HCP_SIM_URL: sim.url, HCP_PAD_DIR: dir };
    const paused: Array<{ point: string; batchId: string }> = [];
    // 200-record batches: kill before sending the 1st, after the platform committed the 2nd
    // (answer received, not yet marked), before sending the 1st again, after the 1st again ...
    // and, last, after the first slice of an answered batch was settled and before the rest.
    for (const [point, nth] of [
      ['before_send', 1],
      ['after_response', 1],
      ['after_response', 2],
      ['before_send', 2],
      ['after_response', 1],
      ['settled_part', 1],
    ] as const) {
      const r = await runChild({ ...env, HCP_PAUSE_AT: point, HCP_PAUSE_NTH: String(nth) });
      expect(r.killed, r.line).toBe(true);
      const [, , batchId] = r.line.split(' ');
      paused.push({ point, batchId: batchId as string });
      const check = openPadDb(dir);
      if (point !== 'settled_part') {
        // Whatever was in flight at the kill is still recorded for the restart.
        expect(JSON.parse(getMeta(check, 'sync_inflight_batch') || '{}').batchId).toBe(batchId);
      } else {
        // Part of the answered batch is settled and the batch after it went out before the rest
        // (uploader.ts sendAhead): that one is in flight now, and the rest of the answered batch
        // waits to go out in a new batch (the platform answers those `duplicate`).
        const [, , , first, last] = r.line.split(' ');
        const inflight = JSON.parse(getMeta(check, 'sync_inflight_batch') || '{}') as { firstSeq?: number };
        expect(inflight.firstSeq).toBeGreaterThan(Number(last));
        const { n } = check
          .prepare(
            `SELECT COUNT(*) AS n FROM outbox WHERE kind = 'record' AND state = 'pending' AND device_seq BETWEEN ? AND ?`,
          )
          .get(Number(first), Number(last)) as { n: number };
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThan(Number(last) - Number(first) + 1);
      }
      check.close();
    }
    const done = await runChild(env);
    expect(done.line).toBe('DONE 0');

    const after = openPadDb(dir);
    expect(outboxStates(after)).toEqual({ delivered: 1000 });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    after.close();
    expect(missingOrDifferent(recs, sim.db, canonicalJson)).toEqual([]);
    const st = sim.stats();
    expect(st.stored).toBe(1000);
    expect(st.chainBreaks).toEqual([]);
    // Every batch killed after the platform committed it was resent under its own batchId.
    expect(st.batchReplays).toBeGreaterThanOrEqual(paused.filter((p) => p.point === 'after_response').length);
    for (const p of paused) {
      const n = (
        sim.db.prepare('SELECT COUNT(*) AS n FROM evaluations WHERE batch_id = ?').get(p.batchId) as {
          n: number;
        }
      ).n;
      expect(n, `records stored under the killed batch ${p.batchId} (${p.point})`).toBeGreaterThan(0);
    }
    // 1000 records / 200 = 5, and one more for each batch killed answered but not wholly settled:
    // what it had not settled went in a new batch (never a batch resent with other records). There
    // are two: the kill at the 2nd `before_send` came before the batch before it was settled, as
    // the next batch goes out as soon as an answer is whole (uploader.ts sendAhead), and the kill
    // at `settled_part`.
    expect(st.batches).toBe(7);
  }, 150_000);

  it('a rejection in an answer whose next batch went out before the kill is kept, never sent again', async () => {
    await withOwnPad(
      // Record 5 of the first 200-record batch lacks the 差评's detail: rejected (invalid_field).
      seedWithOneRejected(7000, 400, 7004),
      async ({ env, sim, dir }) => {
        // The 2nd `before_send` is the batch sent ahead on the first whole answer, before any of
        // that answer is settled.
        const r = await runChild({ ...env, HCP_PAUSE_AT: 'before_send', HCP_PAUSE_NTH: '2' });
        expect(r.killed, r.line).toBe(true);
        const check = openPadDb(dir);
        const states = check
          .prepare(
            `SELECT state, COUNT(*) AS n FROM outbox WHERE kind = 'record' GROUP BY state ORDER BY state`,
          )
          .all();
        check.close();
        // The rejection was settled with the in-flight mark; the delivered 199 wait to go again.
        expect(states).toEqual([
          { state: 'pending', n: 399 },
          { state: 'rejected', n: 1 },
        ]);
        await expectRestStoredOneRejected(env, sim, 399);
      },
    );
  }, 60_000);

  it('a rejection in a later slice of an answer with nothing sent ahead is settled with the first slice', async () => {
    await withOwnPad(
      // One 200-record batch, nothing after it to read ahead; record 151 (the second settle
      // slice) lacks the 差评's detail.
      seedWithOneRejected(8000, 200, 8150),
      async ({ env, sim, dir }) => {
        const r = await runChild({ ...env, HCP_PAUSE_AT: 'settled_part', HCP_PAUSE_NTH: '1' });
        expect(r.killed, r.line).toBe(true);
        const check = openPadDb(dir);
        expect(getMeta(check, 'sync_inflight_batch')).toBe('');
        const rejected = check
          .prepare(`SELECT device_seq AS seq FROM outbox WHERE kind = 'record' AND state = 'rejected'`)
          .all();
        check.close();
        expect(rejected).toHaveLength(1);
        await expectRestStoredOneRejected(env, sim, 199);
      },
    );
  }, 60_000);

  it('the harness catches a broken pad that marks records delivered before sending', async () => {
    await withOwnPad(
      (db) => seedRecords(db, 400, { from: 5000 }),
      async ({ env, sim, seeded: recs }) => {
        const r = await runChild({ ...env, HCP_PAUSE_AT: 'before_send', HCP_PAUSE_NTH: '1' });
        expect(r.killed).toBe(true);
        expect((await runChild(env)).line).toBe('DONE 0');
        // The pad believes everything went out; the platform is missing the batch that was killed.
        expect(missingOrDifferent(recs, sim.db, canonicalJson).length).toBe(200);
      },
      { HCP_BROKEN_MARK_BEFORE_SEND: '1' },
    );
  }, 90_000);
});
