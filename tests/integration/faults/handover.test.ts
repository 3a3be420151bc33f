import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { KioskCore } from '../../../src/host/core.js';
import { gatherHealthFacts } from '../../../src/host/doctor.js';
import { runDecommission, runTakeOver } from '../../../src/host/handover-cli.js';
import { assessHealth } from '../../../src/host/health.js';
import { adoptPlatformPosition } from '../../../src/host/new-pad-position.js';
import { explainStartError } from '../../../src/host/start-errors.js';
import { PadDecommissionedError } from '../../../src/store/handover.js';
import { verifyChain } from '../../../src/store/verify.js';
import type { PlatformSim } from '../../../platform-sim/index.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  DEVICE_ID,
  SECRET,
  padRecords,
  platformHead,
  rate,
  startPad,
  startSim,
  syncAll,
  until,
} from './pad-fixture.js';

/**
 * Replacing a pad (issue 13 §6): the old pad refuses to be decommissioned while ratings wait for
 * the platform unless it exports them, signed; the new pad takes them over and continues the
 * chain above the old pad's last deviceSeq; the platform ends with every rating once and no
 * number used twice.
 */
let sim: PlatformSim;
const dirs: Array<() => void> = [];
let cores: KioskCore[] = [];

beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  for (const c of cores) await c.stop();
  cores = [];
  await sim.close();
  for (const d of dirs.splice(0)) d();
});

function newDir(): string {
  const t = tempDir('hcp-handover-');
  dirs.push(t.cleanup);
  return t.dir;
}

const cliConfig = (dataDir: string, platformUrl: string) =>
  loadConfig({
    env: {},
    overrides: {
      dataDir,
      'windowApi.port': 0,
      'platform.baseUrl': platformUrl,
      'platform.deviceId': DEVICE_ID,
      'platform.deviceSecret': SECRET,
      'technician.code': '482913',
    },
  });

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, o: (l: string) => void out.push(l), e: (l: string) => void err.push(l) };
}

const platformRecords = () =>
  sim.db
    .prepare(
      'SELECT evaluation_id AS id, device_seq AS seq FROM evaluations WHERE device_id = ? ORDER BY device_seq',
    )
    .all(DEVICE_ID) as Array<{ id: string; seq: number }>;

/** The pad's top record: its number and the hash the next record must link to. */
const topOf = (c: KioskCore) =>
  c.db
    .prepare(
      'SELECT device_seq AS deviceSeq, record_hash(hash) AS hash FROM records ORDER BY device_seq DESC LIMIT 1',
    )
    .get() as {
    deviceSeq: number;
    hash: string;
  };

const chainBreaks = () =>
  (
    sim.db.prepare('SELECT COUNT(*) AS n FROM chain_breaks WHERE device_id = ?').get(DEVICE_ID) as {
      n: number;
    }
  ).n;

describe('replacing a pad', () => {
  it('exports the undelivered ratings, signed; the new pad sends them and continues the chain', async () => {
    const oldDir = newDir();
    // 4 delivered, then the network goes: 3 more wait in the outbox.
    let old = await startPad(oldDir, sim.url);
    await syncAll(old);
    await rate(old, 4);
    await syncAll(old);
    await old.stop();
    old = await startPad(oldDir, 'http://127.0.0.1:9');
    const waiting = await rate(old, 3, 4);
    const oldTop = topOf(old);
    await old.stop();

    const refused = capture();
    expect(await runDecommission(cliConfig(oldDir, sim.url), null, refused.o, refused.e)).toBe(2);
    expect(refused.err.join()).toMatch(/3 ratings are not yet delivered/);
    // Not decommissioned by the refusal: the pad still starts.
    cores.push(await startPad(oldDir, 'http://127.0.0.1:9'));
    await cores.pop()!.stop();

    const file = join(oldDir, 'handover.json');
    const done = capture();
    expect(await runDecommission(cliConfig(oldDir, sim.url), file, done.o, done.e)).toBe(0);
    expect(done.out.join()).toMatch(/exported 3 undelivered records/);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as {
      records: Array<{ record: { evaluationId: string } }>;
    };
    expect(exported.records.map((r) => r.record.evaluationId)).toEqual(waiting);

    // doctor says so; the old pad will not seal another number.
    const facts = await gatherHealthFacts(cliConfig(oldDir, sim.url));
    expect(assessHealth(facts).findings.find((c) => c.key === 'db')).toMatchObject({
      level: 'visit',
      text: /decommissioned/,
    });

    const again = await startPad(oldDir, sim.url).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(PadDecommissionedError);
    expect(explainStartError(again, null)).toMatch(/decommissioned/);

    // An edited file is refused whole.
    const newPadDir = newDir();
    const tampered = join(newPadDir, 'tampered.json');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('"satisfaction":4', '"satisfaction":5'));
    const bad = capture();
    expect(await runTakeOver(cliConfig(newPadDir, sim.url), tampered, bad.o, bad.e)).toBe(2);
    expect(bad.err.join()).toMatch(/signature does not match/);

    const took = capture();
    expect(await runTakeOver(cliConfig(newPadDir, sim.url), file, took.o, took.e)).toBe(0);
    expect(took.out.join()).toMatch(new RegExp(`next record is deviceSeq ${oldTop.deviceSeq + 1}`));

    const fresh = await startPad(newPadDir, sim.url);
    cores.push(fresh);
    await syncAll(fresh);
    const [mine] = await rate(fresh, 1);
    await syncAll(fresh);
    const onPlatform = platformRecords();
    expect(onPlatform.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(onPlatform.map((r) => r.id).slice(4)).toEqual([...waiting, mine]);
    const newest = padRecords(fresh).find((r) => r.evaluationId === mine)!;
    expect(newest.deviceSeq).toBe(oldTop.deviceSeq + 1);
    expect(newest.prevHash).toBe(oldTop.hash);
    expect(platformHead(sim).hash).toBe(topOf(fresh).hash);
    expect(verifyChain(fresh.db).ok).toBe(true);
    expect(chainBreaks()).toBe(0);
  });

  it('a new pad set up for a device id the platform knows continues above its lastDeviceSeq', async () => {
    const oldDir = newDir();
    const old = await startPad(oldDir, sim.url);
    await syncAll(old);
    await rate(old, 5);
    await syncAll(old);
    await old.stop();
    const head = platformHead(sim);
    expect(head.seq).toBe(5);

    const newPadDir = newDir();
    expect(await adoptPlatformPosition(cliConfig(newPadDir, sim.url))).toMatch(
      /continues above the platform's deviceSeq 5/,
    );
    // The network goes right after setup: the first ratings are sealed before any profile arrives.
    const offline = await startPad(newPadDir, 'http://127.0.0.1:9');
    await rate(offline, 2);
    expect(padRecords(offline).map((r) => r.deviceSeq)).toEqual([6, 7]);
    expect(padRecords(offline)[0]?.prevHash).toBe(head.hash);
    await offline.stop();
    const fresh = await startPad(newPadDir, sim.url);
    cores.push(fresh);
    await syncAll(fresh);
    await until(() => platformRecords().length === 7, 5000, 'the new pad uploads');
    expect(chainBreaks()).toBe(0);
    // Nothing refused by the platform: no number reused.
    expect(fresh.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'rejected'`).get()).toEqual({
      n: 0,
    });
  });

  it('refuses to decommission or take over while the pad runs', async () => {
    const dir = newDir();
    const running = await startPad(dir, sim.url, { overrides: { 'windowApi.port': 0 } });
    cores.push(running);
    const port = Number(new URL(running.windowApiUrl).port);
    const cfg = loadConfig({ env: {}, overrides: { dataDir: dir, 'windowApi.port': port } });
    const c = capture();
    expect(await runDecommission(cfg, null, c.o, c.e)).toBe(2);
    expect(c.err.join()).toMatch(/the pad is running/);
  });

  it('a pad still running on a decommissioned database seals no number of its successor', async () => {
    const dir = newDir();
    // Port 0: the running pad cannot be found by its port, so only the database can stop it.
    const running = await startPad(dir, sim.url, { overrides: { 'windowApi.port': 0 } });
    cores.push(running);
    await rate(running, 2);
    await syncAll(running);
    const { evaluationId } = await running.startEvaluation(
      {
        cases: [
          { projectNo: '370900-2026-990001', taskCode: '370900-XK-0001', taskName: '事项', promiseType: 1 },
        ],
      },
      'window_api',
    );
    const c = capture();
    expect(await runDecommission(cliConfig(dir, sim.url), null, c.o, c.e)).toBe(0);
    const before = topOf(running).deviceSeq;
    expect(() =>
      running.evaluations.cancel(evaluationId, { reason: 'citizen_left', staffId: 'T0107', channel: 'test' }),
    ).toThrow(/decommissioned/);
    expect(topOf(running).deviceSeq).toBe(before);
  });
});
