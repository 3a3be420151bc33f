import { afterEach, describe, expect, it } from 'vitest';
import {
  BoardSimulator,
  createMemoryTransportPair,
  type ByteTransport,
} from '../../../src/hardware/board/index.js';
import { startKeyProbe, type KeyProbe } from '../../../src/hardware/board/key-probe.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

const log = () => undefined;
const sims: BoardSimulator[] = [];
let probe: KeyProbe | null = null;
afterEach(async () => {
  await probe?.cancel();
  probe = null;
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** A "port" per path: a board, a device that never answers, or one that cannot be opened. */
function bench(spec: Record<string, 'board' | 'silent' | 'eacces'>) {
  const hosts = new Map<string, ByteTransport>();
  const boards = new Map<string, BoardSimulator>();
  for (const [path, kind] of Object.entries(spec)) {
    const pair = createMemoryTransportPair(path);
    hosts.set(path, pair.host);
    if (kind === 'board') {
      const sim = new BoardSimulator({ serial: `SN${path.slice(-2)}` });
      sims.push(sim);
      boards.set(path, sim);
      void sim.attach(pair.device);
    } else if (kind === 'silent') void pair.device.open();
    else
      hosts.set(path, {
        ...pair.host,
        name: path,
        isOpen: false,
        open: () => Promise.reject(new Error(`EACCES: permission denied, open '${path}'`)),
        close: () => Promise.resolve(),
        write: () => Promise.reject(new Error('not open')),
        onData: () => () => undefined,
        onClose: () => () => undefined,
      });
  }
  const start = (timeoutMs: number) =>
    (probe = startKeyProbe({
      candidates: Object.keys(spec),
      openTransport: (p) => hosts.get(p)!,
      pathExists: () => true,
      log,
      timeoutMs,
      settleMs: 300,
      timings: { helloTimeoutMs: 100 },
    }));
  return { boards, hosts, start };
}

describe('finding the board by a key press', () => {
  it('two boards: the one whose key is pressed is chosen, with its serial and firmware', async () => {
    const { boards, start } = bench({ '/dev/ttyA1': 'board', '/dev/ttyA2': 'board' });
    const p = start(10_000);
    await until(() => p.ports().every((x) => x.state === 'board'));
    expect(p.ports().map((x) => x.serial)).toEqual(['SNA1', 'SNA2']);
    await wait(350);
    boards.get('/dev/ttyA2')!.press(3);
    const r = await p.outcome;
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.found).toEqual({ path: '/dev/ttyA2', serial: 'SNA2', firmware: 'sim-1.0.0', key: 3 });
    // The setup press was acknowledged: the board will not hand it to the pad as a rating.
    await until(() => boards.get('/dev/ttyA2')!.state().pending.length === 0);
  });

  it('a port that errors and a device that is not a board are shown with why; the board still answers', async () => {
    const { boards, start } = bench({
      '/dev/ttyS0': 'eacces',
      '/dev/ttyUSB0': 'silent',
      '/dev/ttyACM0': 'board',
    });
    const p = start(10_000);
    await until(() => {
      const s = p.ports().map((x) => x.state);
      return s[0] === 'unavailable' && s[1] === 'not_board' && s[2] === 'board';
    });
    const [eacces, silent] = p.ports();
    expect(eacces?.detail).toContain('EACCES');
    expect(silent?.detail).toContain('EVB/1 INFO');
    await wait(350);
    boards.get('/dev/ttyACM0')!.press(5);
    const r = await p.outcome;
    expect(r.kind === 'found' && r.found.path).toBe('/dev/ttyACM0');
  });

  it('nobody presses: the probe ends at its timeout with every port closed', async () => {
    const { hosts, start } = bench({ '/dev/ttyA1': 'board', '/dev/ttyA2': 'silent' });
    const t0 = Date.now();
    const p = start(800);
    await until(() => hosts.get('/dev/ttyA1')!.isOpen && hosts.get('/dev/ttyA2')!.isOpen);
    const r = await p.outcome;
    expect(r.kind).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(750);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.ports.map((x) => x.state)).toEqual(['board', 'not_board']);
    expect([...hosts.values()].map((t) => t.isOpen)).toEqual([false, false]);
  });

  it('no candidates at all: a timeout at once, not a wait', async () => {
    const r = await startKeyProbe({
      candidates: [],
      openTransport: () => {
        throw new Error('unused');
      },
      pathExists: () => false,
      log,
      timeoutMs: 60_000,
    }).outcome;
    expect(r).toEqual({ kind: 'timeout', ports: [] });
  });

  it('a press buffered on the board before the probe is acknowledged but is not the answer', async () => {
    const pair = createMemoryTransportPair('/dev/ttyACM9');
    const sim = new BoardSimulator({ serial: 'SNOLD' });
    sims.push(sim);
    sim.press(2); // pressed before anyone asked: sits in the board's buffer
    await sim.attach(pair.device);
    const p = (probe = startKeyProbe({
      candidates: ['/dev/ttyACM9'],
      openTransport: () => pair.host,
      pathExists: () => true,
      log,
      timeoutMs: 1500,
      settleMs: 300,
      timings: { helloTimeoutMs: 100 },
    }));
    await until(() => sim.state().pending.length === 0);
    const r = await p.outcome;
    expect(r.kind).toBe('timeout');
  });

  it('cancel closes every port and says so', async () => {
    const { start } = bench({ '/dev/ttyA1': 'board' });
    const p = start(10_000);
    await until(() => p.ports()[0]?.state === 'board');
    const r = await p.cancel();
    expect(r.kind).toBe('cancelled');
    probe = null;
  });
});
