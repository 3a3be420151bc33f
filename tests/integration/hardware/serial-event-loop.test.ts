import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serialBinding } from '../../../src/hardware/serial-binding.js';
import { SerialByteTransport } from '../../../src/hardware/serial-port.js';
import { padWithBoardOnPty, PtyCable, starsBlinking, until, wait } from '../board/harness.js';

/**
 * The pad's serial reads and writes happen on the event loop (decision 216), so that a key press
 * is read, committed, acknowledged and lit while libuv's thread pool is busy with something else
 * (a DNS look-up hanging while the network is down, a log write on a slow disk).
 */

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  // Every step runs even when one fails (a pool left blocked would stall every later test).
  const steps = cleanup.reverse();
  cleanup = [];
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
});

/** The far end of a line with no relay (tests/emulators/pty-far-end.c), built once. */
let farEndProgram = '';
beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-far-end-'));
  farEndProgram = path.join(dir, 'pty-far-end');
  execFileSync('cc', [
    '-O2',
    '-Wall',
    '-Werror',
    '-o',
    farEndProgram,
    path.join(import.meta.dirname, '../../emulators/pty-far-end.c'),
  ]);
});
afterAll(() => {
  if (farEndProgram) fs.rmSync(path.dirname(farEndProgram), { recursive: true, force: true });
});

async function farEnd(): Promise<{ path: string; say(line: string): void; received(): Promise<number> }> {
  const child = spawn(farEndProgram, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.push(() => {
    child.kill();
  });
  // A far end that stopped (its reason is on stderr) must fail the test by its answer, not by an
  // unhandled EPIPE on its stdin.
  let exited: string | null = null;
  child.on('exit', (code, signal) => (exited = `the far end exited (${code ?? signal})`));
  child.stdin.on('error', () => undefined);
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const nextLine = () =>
    within(
      new Promise<string>((resolve) => {
        const line = lines.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
      }),
      5000,
      'the far end’s answer',
    ).catch((err: Error) => {
      throw new Error(exited === null ? err.message : `${err.message}; ${exited}`);
    });
  const pts = await nextLine();
  return {
    path: pts,
    say: (line) => child.stdin.write(`${line}\n`),
    async received() {
      child.stdin.write('count\n');
      return Number(await nextLine());
    },
  };
}

const BOARD_LINE = { lineControl: 'none', drainOnWrite: false, forgetOnError: false } as const;

/**
 * Occupies every thread of the pool: each thread opens a FIFO nobody writes to, which waits in
 * open(2) until `release` opens the other end. Resolves once a probe job is shown to queue. The
 * release is also queued on the test's cleanup, first in line, so a failing test never leaves
 * the pool blocked for the next.
 */
async function blockThreadPool(): Promise<{ release(): Promise<void> }> {
  // More jobs than threads only queue: harmless, and the probe below still shows the pool full.
  const threads = Math.max(4, Number(process.env.UV_THREADPOOL_SIZE) || 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-pool-'));
  const fifos = Array.from({ length: threads }, (_, i) => path.join(dir, `f${i}`));
  for (const f of fifos) expect(spawnSync('mkfifo', [f]).status).toBe(0);
  const opened = fifos.map(
    (f) =>
      new Promise<void>((resolve) =>
        fs.open(f, 'r', (err, fd) => {
          if (!err) fs.close(fd, () => resolve());
          else resolve();
        }),
      ),
  );
  let probed = false;
  fs.stat(dir, () => (probed = true));
  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      // O_RDWR on a FIFO never waits, with or without a reader already in open(2).
      const ends = fifos.map((f) => fs.openSync(f, fs.constants.O_RDWR));
      await Promise.all(opened);
      for (const fd of ends) fs.closeSync(fd);
      await until(() => probed, 5000, 'the probe job ran');
      fs.rmSync(dir, { recursive: true, force: true });
    })());
  cleanup.push(release);
  await wait(300);
  expect(probed, 'the thread pool is blocked').toBe(false);
  return { release };
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms),
    ),
  ]);
}

async function pair(
  hostLine: ConstructorParameters<typeof SerialByteTransport>[2] = BOARD_LINE,
): Promise<{ cable: PtyCable; host: SerialByteTransport; board: SerialByteTransport }> {
  const cable = new PtyCable();
  await cable.plug();
  cleanup.push(() => cable.dispose());
  const host = new SerialByteTransport(cable.host, 115200, hostLine);
  const board = new SerialByteTransport(cable.board, 115200, BOARD_LINE);
  await host.open();
  await board.open();
  cleanup.push(() => host.close());
  cleanup.push(() => board.close());
  return { cable, host, board };
}

function collect(t: SerialByteTransport): { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  t.onData((c) => chunks.push(c));
  return { bytes: () => Buffer.concat(chunks) };
}

describe('serial reads and writes on the event loop', () => {
  it('opens the port non-blocking, so a read or write on the loop never waits', async () => {
    const { cable } = await pair();
    const pts = fs.realpathSync(cable.host);
    const fds = fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === pts;
      } catch {
        return false;
      }
    });
    expect(fds.length).toBeGreaterThan(0);
    for (const fd of fds) {
      const flags = /flags:\s+([0-7]+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      expect(flags, `fd ${fd}`).toBeDefined();
      expect(parseInt(flags!, 8) & fs.constants.O_NONBLOCK, `fd ${fd} is O_NONBLOCK`).toBe(
        fs.constants.O_NONBLOCK,
      );
    }
  });

  it(
    'a frame crosses the line both ways while every thread-pool thread is blocked',
    { timeout: 20_000 },
    async () => {
      const { host, board } = await pair();
      const atHost = collect(host);
      const atBoard = collect(board);
      const pool = await blockThreadPool();
      await within(board.write(Buffer.from('KEY 5\n')), 2000, 'the board’s write');
      await until(() => atHost.bytes().toString() === 'KEY 5\n', 2000, 'the board’s frame read by the host');
      await within(host.write(Buffer.from('ACK 5\n')), 2000, 'the host’s write');
      await until(
        () => atBoard.bytes().toString() === 'ACK 5\n',
        2000,
        'the host’s answer read by the board',
      );
      await pool.release();
    },
  );

  it(
    'a write waiting for room does not stop reads, and finishes once the far end reads',
    { timeout: 30_000 },
    async () => {
      const far = await farEnd();
      const host = new SerialByteTransport(far.path, 115200, BOARD_LINE);
      await host.open();
      cleanup.push(() => host.close());
      const atHost = collect(host);

      const big = Buffer.alloc(1024 * 1024, 0x41);
      let outcome: 'pending' | 'written' | Error = 'pending';
      const writing = host.write(big).then(
        () => (outcome = 'written'),
        (err: Error) => (outcome = err),
      );
      await wait(300);
      expect(outcome, 'a megabyte does not fit in the line').toBe('pending');
      // Bytes from the far end arrive while the write waits for room; each read then waits again.
      for (const word of ['hello ', 'again ', 'and again']) {
        far.say(`send ${word}`);
        await wait(50);
      }
      await until(
        () => atHost.bytes().toString() === 'hello again and again',
        2000,
        'the far end’s bytes read',
      );
      expect(outcome).toBe('pending');
      // Once the far end reads, the write must finish: it is still waiting for room, not forgotten.
      far.say('drain');
      await within(writing, 10_000, 'the megabyte written');
      expect(outcome).toBe('written');
      let received = 0;
      for (let tries = 0; tries < 100 && received < big.length; tries++) {
        received = await far.received();
        if (received < big.length) await wait(20);
      }
      expect(received).toBe(big.length);
    },
  );

  it('closing a port ends the read waiting on it as canceled (the stream then ends quietly)', async () => {
    const far = await farEnd();
    const port = await serialBinding.open({ path: far.path, baudRate: 115200 });
    cleanup.push(() => (port.isOpen ? port.close() : undefined));
    const reading = port.read(Buffer.alloc(64), 0, 64).then(
      () => 'data',
      (err: { canceled?: boolean }) => (err.canceled === true ? 'canceled' : `error ${String(err)}`),
    );
    await wait(50);
    await within(port.close(), 2000, 'the close');
    expect(await within(reading, 2000, 'the read’s end')).toBe('canceled');
  });

  it(
    'a write larger than the line’s buffer to a drained (printer) port arrives whole and in order',
    { timeout: 20_000 },
    async () => {
      // The receipt printer's kind of port: a write resolves once the OS has drained it.
      const { host, board } = await pair({
        lineControl: 'defaults',
        drainOnWrite: true,
        forgetOnError: true,
      });
      const atBoard = collect(board);
      const big = Buffer.alloc(256 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
      await within(host.write(big), 10_000, 'the drained write');
      await until(() => atBoard.bytes().length >= big.length, 10_000, 'every byte read');
      expect(atBoard.bytes().equals(big)).toBe(true);
    },
  );

  it(
    'a pulled cable closes the port as disconnected; a close asked for is no disconnection',
    { timeout: 20_000 },
    async () => {
      const { cable, host, board } = await pair();
      const hostCloses: boolean[] = [];
      const boardCloses: boolean[] = [];
      host.onClose((disconnected) => hostCloses.push(disconnected));
      board.onClose((disconnected) => boardCloses.push(disconnected));
      // The board side's read is waiting (nothing sent): its own close ends it without an error.
      await within(board.close(), 2000, 'the close');
      expect(board.isOpen).toBe(false);
      await cable.unplug();
      await until(() => hostCloses.length > 0, 5000, 'the host port closed');
      expect(hostCloses).toEqual([true]);
      expect(host.isOpen).toBe(false);
      // A close asked for is no disconnection: the listener hears nothing of it.
      expect(boardCloses).toEqual([]);
    },
  );

  it(
    'a key press is committed, acknowledged and lit while the thread pool is blocked',
    { timeout: 60_000 },
    async () => {
      const { pad, sim } = await padWithBoardOnPty('POOLBUSY', cleanup);
      const { evaluationId } = await pad.core.startEvaluation(
        { cases: [{ projectNo: 'POOL-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
        'window_api',
      );
      await until(() => starsBlinking(sim), 3000, 'star LEDs blinking');
      const acks: number[] = [];
      sim.onEventsAck(({ counter }) => acks.push(counter));

      const pool = await blockThreadPool();
      sim.press(4);
      await until(() => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'rated', 3000, 'rated');
      await until(() => acks.length > 0, 3000, 'EVENTS_ACK at the board');
      await until(() => sim.leds()[3] === 1, 3000, 'the chosen star lit');
      expect(sim.state().pending).toEqual([]);
      await pool.release();
    },
  );
});
