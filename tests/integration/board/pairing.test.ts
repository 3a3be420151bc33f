/**
 * The right board (decision 132): over socat pty pairs with the real serialport binding, a board
 * reporting another serial and a device that does not speak EVB/1 are never read as keys, and
 * the technician screen says why; a pad's first board is remembered across a restart.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSession } from '../../../src/api/dispatch.js';
import {
  BoardSimulator,
  SerialTransport,
  createBoardLink,
  encodeFrame,
  messages as M,
  type BoardLink,
  type BoardPress,
} from '../../../src/hardware/board/index.js';
import { putOnDuty, startTestCore } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';
import { PtyCable, until, wait } from './harness.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
  cleanup = [];
});

async function cable(): Promise<PtyCable> {
  const c = new PtyCable();
  await c.plug();
  cleanup.push(() => c.dispose());
  return c;
}

function link(path: string, expected: string | null, remembered: string[] = []) {
  const presses: BoardPress[] = [];
  const logs: string[] = [];
  const l: BoardLink = createBoardLink({
    kind: 'serial',
    path,
    baudRate: 115200,
    log: (_level, msg) => logs.push(msg),
    timings: { helloTimeoutMs: 200, backoffInitialMs: 100, backoffMaxMs: 300 },
    pairing: {
      expected: () =>
        expected
          ? { serial: expected, source: 'config' }
          : { serial: remembered[0] ?? null, source: remembered[0] ? 'remembered' : null },
      remember: (s) => remembered.push(s),
    },
  });
  l.onPress(async (p) => {
    presses.push(p);
  });
  cleanup.push(() => l.stop());
  return { l, presses, logs };
}

async function board(serial: string, path: string): Promise<BoardSimulator> {
  const sim = new BoardSimulator({ serial });
  await sim.connectSerial(path, 115200);
  cleanup.push(() => sim.stop());
  return sim;
}

describe('the configured board only (finding: any ttyUSB device is taken as the star-key board)', () => {
  it('a board reporting another serial is refused, its keys never read, and the status says why', async () => {
    const c = await cable();
    const sim = await board('WRONG002', c.board);
    const { l, presses } = link(c.host, 'GOOD0001');
    await l.start();
    await until(() => l.status().refusal !== null, 5000, 'refusal');
    for (let k = 1; k <= 5; k++) sim.press(k);
    await wait(1500);
    expect(l.status()).toMatchObject({ state: 'error', serial: null, expectedSerial: 'GOOD0001' });
    expect(l.status().refusal).toMatch(/WRONG002.*GOOD0001/);
    expect(presses).toEqual([]);
  });

  it('a device that does not answer INFO is refused even when it sends KEY frames', async () => {
    const c = await cable();
    // A device on the other end that streams KEY-shaped frames and junk but never answers HELLO.
    const dev = new SerialTransport(c.board, 115200);
    await dev.open();
    cleanup.push(() => dev.close());
    let counter = 0;
    const chatter = setInterval(() => {
      counter += 1;
      const f = M.key(counter & 0xff, {
        bootId: 7,
        counter,
        key: 1 + (counter % 5),
        kind: 1,
        uptimeMs: 1000,
      });
      void dev.write(
        Buffer.concat([Buffer.from(encodeFrame(f)), Buffer.from('$GPGGA,123519,4807.038,N*47\r\n')]),
      );
    }, 20);
    cleanup.push(() => clearInterval(chatter));
    const { l, presses } = link(c.host, null);
    await l.start();
    await until(() => l.status().refusal !== null, 5000, 'refusal');
    await wait(1500);
    expect(l.status().state).not.toBe('ok');
    expect(l.status().refusal).toMatch(/does not answer EVB\/1 INFO/);
    expect(presses).toEqual([]);
    expect(counter).toBeGreaterThan(20);
  });

  it('the configured serial is accepted and its keys delivered', async () => {
    const c = await cable();
    const sim = await board('GOOD0001', c.board);
    const { l, presses } = link(c.host, 'GOOD0001');
    await l.start();
    await until(() => l.status().state === 'ok', 5000, 'board ok');
    sim.press(4);
    await until(() => presses.length === 1, 3000, 'press');
    expect(presses[0]).toMatchObject({ key: 4, serial: 'GOOD0001' });
    expect(l.status().refusal).toBeNull();
  });
});

describe('first pairing remembered across a restart (the real core, meta table)', () => {
  it(
    'pairs with the first board answering INFO, then refuses another after a restart',
    { timeout: 60_000 },
    async () => {
      const c = await cable();
      const t = tempDir();
      cleanup.push(() => t.cleanup());
      const dataDir = join(t.dir, 'pad');
      mkdirSync(dataDir);
      const boardCfg = { board: { kind: 'serial', path: c.host, baudRate: 115200 }, dataDir };

      let pad = await startTestCore(boardCfg);
      const first = await board('FIRST001', c.board);
      await until(() => pad.core.hardware.boardState() === 'ok', 10_000, 'first board ok');
      expect(pad.core.hardware.board?.status().expectedSerial).toBe('FIRST001');
      await first.stop();
      await pad.stop();

      pad = await startTestCore(boardCfg);
      cleanup.push(() => pad.stop());
      putOnDuty(pad.core);
      const other = await board('OTHER002', c.board);
      await until(() => pad.core.hardware.board?.status().refusal != null, 10_000, 'refusal');
      const { evaluationId } = await pad.core.startEvaluation(
        { cases: [{ projectNo: 'PAIR-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
        'window_api',
      );
      other.press(5);
      await wait(1500);
      expect(pad.core.hardware.boardState()).not.toBe('ok');
      expect(pad.core.evaluations.get(evaluationId)?.evaluation.state).not.toBe('rated');
      // The technician screen says why.
      const tech: ClientSession = { techUnlocked: false };
      expect(await pad.core.dispatch('techUnlock', { code: '482913' }, tech)).toMatchObject({ ok: true });
      const status = await pad.core.dispatch('techStatus', {}, tech);
      expect(status).toMatchObject({
        ok: true,
        result: { board: { state: 'error', expectedSerial: 'FIRST001', serial: null } },
      });
      expect(JSON.stringify(status)).toMatch(/OTHER002.*FIRST001/);
      await other.stop();

      // The paired board comes back: taken, and its key rates.
      const back = await board('FIRST001', c.board);
      await until(() => pad.core.hardware.boardState() === 'ok', 10_000, 'paired board ok');
      back.press(5);
      await until(
        () => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'rated',
        5000,
        'rated by the paired board',
      );
    },
  );
});
