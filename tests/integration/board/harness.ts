/** Shared pieces of the board integration tests: socat pty pairs, waiting, the ack-order check. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BoardSimulator } from '../../../src/hardware/board/index.js';
import { putOnDuty, startTestCore } from '../../helpers/core.js';

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms: number, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await wait(5);
  }
}

/** The prompt for a rating: all five star LEDs blinking (EVB/1 LED mode 2). */
export function starsBlinking(board: { leds(): readonly number[] } | null | undefined): boolean {
  return (
    board
      ?.leds()
      .slice(0, 5)
      .every((m) => m === 2) ?? false
  );
}

/** A socat pty pair (a null-modem cable) that can be pulled and put back on the same names. */
export class PtyCable {
  readonly host: string;
  readonly board: string;
  readonly dir: string;
  private proc: ChildProcess | null = null;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-board-'));
    this.host = path.join(this.dir, 'A');
    this.board = path.join(this.dir, 'B');
  }

  /** Resolves once both links exist; returns that moment (performance.now()). */
  async plug(): Promise<number> {
    const p = spawn('socat', [`pty,raw,echo=0,link=${this.host}`, `pty,raw,echo=0,link=${this.board}`], {
      stdio: 'ignore',
    });
    this.proc = p;
    const deadline = Date.now() + 5000;
    while (!(fs.existsSync(this.host) && fs.existsSync(this.board))) {
      if (Date.now() > deadline || p.exitCode !== null) throw new Error('socat did not create the pty pair');
      await wait(2);
    }
    return performance.now();
  }

  /** Pulls the cable: socat exits, both ptys vanish. */
  unplug(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    return new Promise<void>((resolve) => {
      if (!p || p.exitCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.unplug();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export type TrafficEvent =
  { kind: 'committed'; bootId: number; counter: number } | { kind: 'ack'; bootId: number; counter: number };

/**
 * §4: an EVENTS_ACK for (boot, c) may be written only after every press 1..c of that boot that the
 * handler saw has committed. Returns the acknowledgements that broke the rule.
 */
export function acksBeforeCommit(
  events: TrafficEvent[],
  pressedCounters: (bootId: number) => number[],
): TrafficEvent[] {
  const committed = new Map<number, Set<number>>();
  const bad: TrafficEvent[] = [];
  for (const e of events) {
    if (e.kind === 'committed') {
      if (!committed.has(e.bootId)) committed.set(e.bootId, new Set());
      committed.get(e.bootId)!.add(e.counter);
      continue;
    }
    const done = committed.get(e.bootId) ?? new Set<number>();
    const covered = pressedCounters(e.bootId).filter((c) => c <= e.counter);
    if (covered.some((c) => !done.has(c))) bad.push(e);
  }
  return bad;
}

/**
 * The real core, on duty, with its board on a socat pty and the simulated board `serial` on the
 * other end, once the core sees the board: what the tests of a press through the whole pad start
 * from. Everything started is queued on `cleanup` (run in reverse).
 */
export async function padWithBoardOnPty(
  serial: string,
  cleanup: Array<() => Promise<void> | void>,
): Promise<{ pad: Awaited<ReturnType<typeof startTestCore>>; sim: BoardSimulator }> {
  const cable = new PtyCable();
  await cable.plug();
  cleanup.push(() => cable.dispose());
  const pad = await startTestCore({ board: { kind: 'serial', path: cable.host, baudRate: 115200 } });
  cleanup.push(() => pad.stop());
  putOnDuty(pad.core);
  const sim = new BoardSimulator({ serial });
  await sim.connectSerial(cable.board);
  cleanup.push(() => sim.stop());
  await until(() => pad.core.hardware.boardState() === 'ok', 10_000, 'board ok');
  return { pad, sim };
}
