import { afterEach, describe, expect, it } from 'vitest';
import {
  BoardSimulator,
  CommandError,
  createBoardLink,
  type BoardLink,
  type BoardPress,
} from '../../../src/hardware/board/index.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

let link: BoardLink | null = null;
afterEach(async () => {
  await link?.stop();
  link = null;
});

function setup(simOpts: ConstructorParameters<typeof BoardSimulator>[0] = {}, pingIntervalMs = 100) {
  const sim = new BoardSimulator({ serial: 'SIM00012', ...simOpts });
  const logs: string[] = [];
  link = createBoardLink({
    kind: 'simulated',
    simulator: sim,
    log: (_level, m) => logs.push(m),
    timings: { pingIntervalMs },
  });
  const presses: BoardPress[] = [];
  link.onPress(async (p) => {
    presses.push(p);
  });
  return { sim, link, presses, logs };
}

describe('BoardDriver with the in-process simulator', () => {
  it('connects, reports INFO, delivers presses once and clears the board buffer', async () => {
    const { sim, link, presses } = setup();
    await link.start();
    await until(() => link.status().state === 'ok');
    const st = link.status();
    expect(st).toMatchObject({
      serial: 'SIM00012',
      firmware: 'sim-1.0.0',
      keyCount: 6,
      capabilities: { buzzer: true, staffKey: true },
    });
    sim.press(3);
    sim.press(5);
    await until(() => presses.length === 2 && sim.state().pending.length === 0);
    expect(presses.map((p) => [p.counter, p.key])).toEqual([
      [1, 3],
      [2, 5],
    ]);
    expect(presses[0]!.bootId).toBe(sim.state().bootId);
  });

  it('LEDS, BEEP and CONFIG are acknowledged and visible on the board; bad values are refused', async () => {
    const { sim, link } = setup();
    await link.start();
    await until(() => link.status().state === 'ok');
    await link.setLeds([2, 2, 2, 2, 2, 1]);
    expect([...sim.leds()]).toEqual([2, 2, 2, 2, 2, 1]);
    await link.beep(2000, 150);
    expect(sim.buzzer()).toMatchObject({ freqHz: 2000, durationMs: 150 });
    await link.configure(30);
    expect(sim.state().debounceMs).toBe(30);
    await expect(link.beep(50, 10)).rejects.toThrow(/out of range/);
    await link.setLeds([4, 0, 0, 0, 0, 0]);
    expect(sim.leds()[0]).toBe(4);
    await wait(260);
    expect(sim.leds()[0]).toBe(0);
  });

  it('a command with no ACK is sent three times, then rejected', async () => {
    const { sim, link } = setup({}, 1000);
    await link.start();
    await until(() => link.status().state === 'ok');
    sim.setFaults({ dropFrame: 1 });
    const t0 = Date.now();
    await expect(link.setLeds([1, 1, 1, 1, 1, 1])).rejects.toBeInstanceOf(CommandError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(link.status().counters.resends).toBe(2);
  });

  it('an unanswered LEDS is not resent after a newer LEDS: the board keeps the newest state', async () => {
    const { sim, link } = setup({}, 1000);
    await link.start();
    await until(() => link.status().state === 'ok');
    // The board's ACK for the first command is lost (a slow or noisy line): without care its
    // resend 200 ms later would land after the second command and undo it.
    sim.setFaults({ dropFrame: 1 });
    const first = link.setLeds([0, 0, 1, 0, 0, 0]);
    await wait(50);
    sim.setFaults({ dropFrame: 0 });
    await link.setLeds([2, 2, 2, 2, 2, 0]);
    await first;
    await wait(500);
    expect([...sim.leds()]).toEqual([2, 2, 2, 2, 2, 0]);
    expect(link.status().counters.resends).toBe(0);
  });

  it('unplug and replug: presses made while unplugged arrive afterwards; LEDs are restored', async () => {
    const { sim, link, presses } = setup();
    await link.start();
    await until(() => link.status().state === 'ok');
    await link.setLeds([0, 0, 1, 0, 0, 0]);
    await sim.unplug();
    await until(() => link.status().state !== 'ok');
    sim.press(1);
    sim.press(2);
    sim.reboot(); // a USB-powered board restarts on replug; its unacknowledged presses are gone with it…
    sim.press(4); // …but this one, after the restart, must arrive
    await sim.replug();
    const t0 = Date.now();
    await until(() => link.status().state === 'ok');
    expect(Date.now() - t0).toBeLessThan(2000);
    await until(() => presses.length === 1);
    expect(presses[0]).toMatchObject({ counter: 1, key: 4 });
    await until(() => sim.leds()[2] === 1);
    expect(link.status().counters.reconnects).toBe(1);
  });

  it('a board that stops answering is detected by missed PONGs', async () => {
    const { sim, link } = setup();
    await link.start();
    await until(() => link.status().state === 'ok');
    sim.setFaults({ dropFrame: 1 });
    await until(() => link.status().state !== 'ok', 2000);
    sim.setFaults({ dropFrame: 0 });
    await until(() => link.status().state === 'ok', 3000);
  });
});
