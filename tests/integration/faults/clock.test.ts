import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformSim } from '../../../platform-sim/index.js';
import type { KioskCore } from '../../../src/host/core.js';
import { startFaultProxy, type FaultProxy } from '../../emulators/fault-proxy.js';
import { putOnDuty } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';
import { FakeTime } from './fake-time.js';
import { DEVICE_ID, padRecords, rate, startPad, startSim } from './pad-fixture.js';

/**
 * Clocks that jump (issue 15 item 4), with a fake time source injected into the core: its wall
 * clock (what Date.now() would say) and its monotonic clock (performance.now()) move separately.
 * The platform simulator runs on the true time.
 */

const tmp = tempDir('hcp-clock-');
let core: KioskCore | null = null;
let sim: PlatformSim | null = null;
let proxy: FaultProxy | null = null;
afterEach(async () => {
  await core?.stop();
  await proxy?.close();
  await sim?.close();
  core = null;
  proxy = null;
  sim = null;
  tmp.cleanup();
});

interface SimRecord {
  evaluationId: string;
  deviceSeq: number;
  deviceTimeMs: number;
  clockOffsetMs: number;
  clockUnsynced?: boolean;
  startedTime: string;
}

function platformRecords(s: PlatformSim): SimRecord[] {
  return (
    s.db
      .prepare('SELECT content FROM evaluations WHERE device_id = ? ORDER BY device_seq')
      .all(DEVICE_ID) as Array<{ content: string }>
  ).map((r) => JSON.parse(r.content) as SimRecord);
}

async function syncNow(c: KioskCore): Promise<void> {
  const st = await c.sync.service?.syncNow();
  expect(st?.pending).toBe(0);
}

const BOOTS = [
  ['2000-01-01 (RTC battery dead)', Date.UTC(2000, 0, 1, 1, 0, 0)],
  ['2038-01-20 (past the 32-bit rollover)', Date.UTC(2038, 0, 20, 1, 0, 0)],
] as const;

describe('a pad that boots with a wrong clock', () => {
  it.each(BOOTS)(
    'boots at %s, then the clock is set right: flagged until the platform confirms, times and figures right, each record once',
    async (_label, bootWall) => {
      sim = await startSim();
      proxy = await startFaultProxy({ target: sim.url });
      // Yesterday: a provisioned pad with a sound clock that knows its hall (the platform's profile).
      const yesterday = await startPad(tmp.dir, proxy.url);
      await syncNow(yesterday);
      await yesterday.stop();
      // Today it boots with its RTC wrong, and the platform is not reachable yet.
      proxy.setModes({ reset: 1 });
      const time = new FakeTime(bootWall);
      core = await startPad(tmp.dir, proxy.url, { clock: time });
      const c = core;

      // 1. Before any answer of the platform: the time is unconfirmed.
      const [a] = await rate(c, 1);
      time.pass(5_000);
      // 2. The platform answers (its first answer is 401 clock_skew carrying its time; the pad retries).
      proxy.setModes({});
      await syncNow(c);
      expect(Math.abs(c.clockOffset.offsetMs() - (Date.now() - time.wall))).toBeLessThan(5_000);
      const [b] = await rate(c, 1);
      time.pass(5_000);
      // 3. The wall clock is set right (NTP): a jump the pad notices; its own time line does not move.
      time.jump(Date.now() - time.wall);
      const [cc] = await rate(c, 1);
      time.pass(5_000);
      await syncNow(c);
      const [d] = await rate(c, 1);
      await syncNow(c);

      const pad = padRecords(c) as unknown as SimRecord[];
      expect(pad.map((r) => r.evaluationId)).toEqual([a, b, cc, d]);
      expect(pad.map((r) => r.clockUnsynced ?? false)).toEqual([true, false, true, false]);
      // deviceTimeMs is the pad's steady clock: it never jumped, it moved by the time that passed
      const steps = pad.slice(1).map((r, i) => r.deviceTimeMs - pad[i]!.deviceTimeMs);
      for (const s of steps) expect(s).toBeGreaterThanOrEqual(5_000);
      for (const s of steps) expect(s).toBeLessThan(6_000);
      // after the platform's word, deviceTimeMs + clockOffsetMs is the true time
      for (const r of pad.slice(1))
        expect(Math.abs(r.deviceTimeMs + r.clockOffsetMs - Date.now())).toBeLessThan(60_000);

      // the platform holds each record once, in order, and sees the flag
      const held = platformRecords(sim);
      expect(held.map((r) => r.evaluationId)).toEqual([a, b, cc, d]);
      expect(held.map((r) => r.deviceSeq)).toEqual([1, 2, 3, 4]);
      expect(held.map((r) => r.clockUnsynced ?? false)).toEqual([true, false, true, false]);

      // today's figures are the true day's: all four, whatever the wall clock said when they were made
      const today = c.queries.windowFigures('12').today;
      expect(today.started).toBe(4);
      expect(c.queries.windowFigures('12').month.started).toBe(4);
      console.log(
        `boot ${new Date(bootWall).toISOString()}: 4 records, flags ${held.map((r) => (r.clockUnsynced ? 'U' : '-')).join('')}, offset ${c.clockOffset.offsetMs()} ms`,
      );
    },
    60_000,
  );
});

describe('a wall clock that jumps mid-evaluation', () => {
  it('an hour back neither stretches the timeout; two hours ahead does not fire it; nothing rated twice', async () => {
    const time = new FakeTime(Date.now());
    core = await startPad(tmp.dir, 'http://127.0.0.1:9', { clock: time });
    const c = core;
    putOnDuty(c);
    const expire = () => c.guardStorage(() => c.evaluations.expireDue());

    // an hour back, mid-evaluation: the 60 s rating timeout still ends after 60 s
    const { evaluationId: first } = await c.startEvaluation(
      {
        cases: [
          {
            projectNo: '370900-2026-720001',
            taskCode: '370900-XK-0001',
            taskName: '个体工商户设立登记',
            promiseType: 1,
          },
        ],
      },
      'staff_panel',
    );
    time.pass(20_000);
    time.jump(-3_600_000);
    c.clock.now(); // the once-a-second watch, without waiting for it
    expect(expire()).toEqual([]);
    // the screen counts down against the (jumped) wall clock: 40 s are left, not an hour and 40 s
    const left = (c.snapshot().prompt?.deadlineMs ?? 0) - time.wall;
    expect(left).toBeGreaterThan(39_000);
    expect(left).toBeLessThanOrEqual(40_000);
    time.pass(41_000);
    expect(expire()).toEqual([first]);
    expect(c.evaluations.get(first)?.evaluation.state).toBe('unrated');

    // two hours ahead, mid-evaluation: the timeout does not fire early, the press counts once
    const { evaluationId: second } = await c.startEvaluation(
      {
        cases: [
          {
            projectNo: '370900-2026-720002',
            taskCode: '370900-XK-0001',
            taskName: '个体工商户设立登记',
            promiseType: 1,
          },
        ],
      },
      'staff_panel',
    );
    time.pass(10_000);
    time.jump(2 * 3_600_000);
    c.clock.now();
    expect(expire()).toEqual([]);
    expect(c.snapshot().screen).toBe('rating');
    c.evaluations.press({ source: 'key', key: 5 });
    c.evaluations.press({ source: 'key', key: 5 }); // a resend after the jump: nothing new
    expect(c.evaluations.get(second)?.evaluation.state).toBe('rated');

    const pad = padRecords(c) as unknown as Array<SimRecord & { status: string }>;
    expect(pad.map((r) => [r.evaluationId, r.status])).toEqual([
      [first, 'unrated'],
      [second, 'rated'],
    ]);
    // recorded on the steady time line: 61 s then 10 s later, never an hour back or two ahead
    expect(pad[1]!.deviceTimeMs - pad[0]!.deviceTimeMs).toBe(10_000);
    // no platform since start: both flagged; figures count each once
    expect(pad.every((r) => r.clockUnsynced === true)).toBe(true);
    const today = c.queries.windowFigures('12').today;
    expect([today.started, today.unrated]).toEqual([2, 1]);
  });
});

describe('a restart with the clock set back', () => {
  it('an evaluation left open closes unrated at start, not years later', async () => {
    const before = await startPad(tmp.dir, 'http://127.0.0.1:9');
    putOnDuty(before);
    const { evaluationId } = await before.startEvaluation(
      {
        cases: [
          {
            projectNo: '370900-2026-730001',
            taskCode: '370900-XK-0001',
            taskName: '个体工商户设立登记',
            promiseType: 1,
          },
        ],
      },
      'staff_panel',
    );
    await before.stop();
    // The power went; the RTC battery with it: the pad boots in 2000.
    core = await startPad(tmp.dir, 'http://127.0.0.1:9', { clock: new FakeTime(Date.UTC(2000, 0, 1)) });
    expect(core.evaluations.get(evaluationId)?.evaluation.state).toBe('unrated');
    expect(core.evaluations.openEvaluation()).toBeNull();
    expect(padRecords(core).map((r) => r.evaluationId)).toHaveLength(1);
  });
});
