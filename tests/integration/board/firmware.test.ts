/** The C reference firmware: its unit tests under ASan/UBSan, then the host build end to end with the TypeScript driver over a socat pty pair. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBoardLink, type BoardLink, type BoardPress } from '../../../src/hardware/board/index.js';
import { PtyCable, until, wait } from './harness.js';

const fwDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../native/firmware');

let fw: ChildProcess | null = null;
let link: BoardLink | null = null;
let cable: PtyCable | null = null;
afterAll(async () => {
  await link?.stop();
  if (fw && fw.exitCode === null) {
    fw.stdin?.end('quit\n');
    await Promise.race([new Promise((r) => fw!.once('exit', r)), wait(2000)]);
    if (fw.exitCode === null) fw.kill('SIGKILL');
  }
  await cable?.dispose();
});

describe('C reference firmware', () => {
  it('passes its unit tests (§5 vectors, codec, board behaviour) with ASan/UBSan', () => {
    const out = execFileSync('make', ['-s', '-C', fwDir, 'test'], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toMatch(/\d+ checks, 0 failed/);
  }, 120_000);

  it('the host build talks to the TypeScript driver over a pty: presses, LEDs, buzzer, reboot, replug', async () => {
    execFileSync('make', ['-s', '-C', fwDir], { timeout: 120_000 });
    cable = new PtyCable();
    await cable.plug();
    const proc = spawn(path.join(fwDir, 'build/evb-host'), [cable.board, 'CFW00042'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    fw = proc;
    let stderr = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (c: string) => (stderr += c));
    const send = (line: string) => proc.stdin!.write(`${line}\n`);

    link = createBoardLink({ kind: 'serial', path: cable.host, baudRate: 115200, log: () => undefined });
    const presses: BoardPress[] = [];
    link.onPress(async (p) => {
      presses.push(p);
    });
    await link.start();
    await until(() => link!.status().state === 'ok', 5000, 'firmware answered HELLO');
    expect(link.status()).toMatchObject({ serial: 'CFW00042', firmware: 'evb-ref-1.0.0 host', keyCount: 6 });

    for (const k of [3, 1, 5, 5]) send(`press ${k}`);
    await until(() => presses.length === 4, 5000, 'presses delivered');
    expect(presses.map((p) => [p.counter, p.key])).toEqual([
      [1, 3],
      [2, 1],
      [3, 5],
      [4, 5],
    ]);
    // EVENTS_ACK reached the board: its buffer is empty again.
    await until(() => /pending 0\n(?![\s\S]*pending [1-9])/.test(stderr), 3000, 'board buffer cleared');

    await link.setLeds([0, 0, 1, 0, 0, 2]);
    await until(() => stderr.includes('leds 0 0 1 0 0 2'), 2000, 'LED modes shown');
    await link.beep(2000, 150);
    await until(() => stderr.includes('beep 2000 150'), 2000, 'beep');
    await link.configure(10);
    await expect(link.configure(200)).rejects.toThrow(/out of range/);

    const firstBoot = link.status().bootId;
    send('reboot');
    await until(() => link!.status().bootId !== firstBoot, 3000, 'new boot id');
    send('press 2');
    await until(() => presses.length === 5, 5000, 'press after reboot');
    expect(presses[4]).toMatchObject({ counter: 1, key: 2 });
    expect(presses[4]!.bootId).not.toBe(firstBoot);
    // The driver restores the LEDs a rebooted board forgot.
    await until(
      () => stderr.lastIndexOf('leds 0 0 1 0 0 2') > stderr.lastIndexOf('boot '),
      3000,
      'LEDs restored after reboot',
    );

    // Unplug: the firmware keeps running; presses made meanwhile arrive after the replug.
    await cable.unplug();
    await until(() => link!.status().state !== 'ok', 5000, 'unplug noticed');
    send('press 4');
    await wait(200);
    const back = await cable.plug();
    await until(() => link!.status().state === 'ok', 3000, 'reconnected');
    const reconnectMs = performance.now() - back;
    await until(() => presses.length === 6, 5000, 'press made while unplugged');
    expect(presses[5]).toMatchObject({ counter: 2, key: 4 });
    expect(reconnectMs).toBeLessThan(2000);
    expect(link.status().counters.lostPresses).toBe(0);
    console.log(`firmware e2e: 6 presses, replug reconnect ${reconnectMs.toFixed(0)} ms`);
  }, 60_000);
});
