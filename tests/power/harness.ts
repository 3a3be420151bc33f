/**
 * The host side of the power-cut test: boots the guest (build-guest.ts) with QEMU, reads the
 * guest driver's lines from a virtio serial port (a unix socket here), pulls the plug (SIGKILL to
 * QEMU) at a random moment while the pad is rating, boots again, and holds the database the cut
 * left to every acknowledgement the host received. See tests/power/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestImage } from './build-guest.js';

export type PowerMode = 'sound' | 'sync-off';
export type Accel = 'kvm' | 'tcg';

export interface PowerCutOptions {
  image: GuestImage;
  cuts: number;
  /** sound: the pad as built; sync-off: the deliberately broken build (synchronous=OFF) */
  mode: PowerMode;
  /** the cut falls uniformly in this window (ms) after the boot's first acknowledgement */
  cutWindowMs: readonly [number, number];
  /** 'auto' (default): KVM when /dev/kvm can be opened and a guest boots under it, else TCG */
  accel?: Accel | 'auto';
  log?: (line: string) => void;
  /** a boot that says nothing for this long is a failure (default 10 min: TCG on a machine whose
   * cores are shared with other work was measured 4–5 times slower than on an idle one) */
  bootTimeoutMs?: number;
}

export interface BootFigures {
  phase: 'run' | 'check';
  /** guest uptime (s) when the driver started and when the pad was ready */
  driverAtS: number;
  readyAtS: number | null;
  /** host ms from QEMU start to the check's report, and to the first acknowledgement */
  checkedMs: number;
  firstAckMs: number | null;
  acksThisBoot: number;
  cutAfterFirstAckMs: number | null;
}

export interface PowerCutResult {
  mode: PowerMode;
  accel: Accel;
  cuts: number;
  acknowledged: number;
  /** acknowledged ratings missing (or with other stars) at a later boot's check */
  lost: string[];
  /** newly missing acknowledged ratings found by the check after each cut */
  lostPerCut: number[];
  /** per boot: integrity_check answers other than ok, and hash-chain failures */
  integrityFailures: string[];
  chainFailures: number;
  /** the guest's NOTE lines: evaluations it could not start, presses that did not rate */
  notes: number;
  boots: BootFigures[];
  elapsedMs: number;
}

/** One boot's conversation, line by line. */
interface Boot {
  qemu: ChildProcess;
  lines: AsyncIterator<string>;
  exited: Promise<number | null>;
  consoleLog: string;
  startedAt: number;
}

export function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function qemuAvailable(): boolean {
  return spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' }).status === 0;
}

function supportsDirectIo(path: string): boolean {
  try {
    closeSync(openSync(path, constants.O_RDWR | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  }
}

/** Lines from whichever guest connects to the port next. */
class SerialPortServer {
  private server: Server;
  private pending: Array<(s: Socket) => void> = [];
  private waiting: Socket[] = [];
  constructor(readonly path: string) {
    this.server = createServer((s) => {
      const next = this.pending.shift();
      if (next) next(s);
      else this.waiting.push(s);
    });
  }
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => resolve());
    });
  }
  nextConnection(): Promise<Socket> {
    const s = this.waiting.shift();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => this.pending.push(resolve));
  }
  close(): void {
    this.server.close();
  }
}

function lineIterator(socket: Socket): AsyncIterator<string> {
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    wake?.();
  });
  const end = () => {
    ended = true;
    wake?.();
  };
  socket.on('close', end);
  socket.on('error', end);
  return {
    async next(): Promise<IteratorResult<string>> {
      for (;;) {
        const line = queue.shift();
        if (line !== undefined) return { value: line, done: false };
        if (ended) return { value: undefined, done: true };
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what())), ms);
    }),
  ]);
}

export async function runPowerCuts(opts: PowerCutOptions): Promise<PowerCutResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const bootTimeoutMs = opts.bootTimeoutMs ?? 600_000;
  const work = mkdtempSync(join(tmpdir(), 'hcp-power-'));
  const disk = join(work, 'pad-disk.img');
  const serial = new SerialPortServer(join(work, 'ack.sock'));
  // The pad's disk: ext4 made without mounting; lazy init off so the guest spends no time on it.
  const mkfs = spawnSync(
    'mkfs.ext4',
    ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', '-L', 'hcp-pad', disk, '64M'],
    { encoding: 'utf8' },
  );
  if (mkfs.status !== 0) throw new Error(`mkfs.ext4 failed: ${mkfs.stderr}`);
  await serial.listen();

  let accel: Accel = opts.accel === 'tcg' || opts.accel === 'kvm' ? opts.accel : kvmUsable() ? 'kvm' : 'tcg';
  const directIo = supportsDirectIo(disk);
  const acked = new Map<string, number>();
  const lost = new Set<string>();
  const lostPerCut: number[] = [];
  const integrityFailures: string[] = [];
  let chainFailures = 0;
  const boots: BootFigures[] = [];
  let notes = 0;

  const startBoot = async (phase: 'run' | 'check'): Promise<Boot> => {
    const consoleLog = join(work, `console-${boots.length}.log`);
    // cache=none: the host's page cache is bypassed, so what the guest did not flush before the
    // cut is gone and what it flushed is on the host's disk. Filesystems without O_DIRECT
    // (tmpfs) fall back to writeback, which is the same for a killed QEMU: the guest's page
    // cache dies with it either way.
    const cache = directIo ? 'cache=none,aio=threads' : 'cache=writeback';
    const args = [
      ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg']),
      '-m',
      '768',
      '-smp',
      '1',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-kernel',
      opts.image.kernel,
      '-initrd',
      opts.image.initrd,
      '-append',
      `console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off tsc=reliable no_timer_check hcp.mode=${opts.mode} hcp.phase=${phase}`,
      '-serial',
      `file:${consoleLog}`,
      '-drive',
      `file=${disk},format=raw,if=none,id=pad,${cache}`,
      '-device',
      'virtio-blk-pci,drive=pad',
      '-device',
      'virtio-serial-pci',
      '-chardev',
      `socket,id=ack,path=${join(work, 'ack.sock')}`,
      '-device',
      'virtserialport,chardev=ack,name=hcp.ack',
      '-device',
      'virtio-rng-pci',
    ];
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => qemu.on('exit', (code) => r(code)));
    const conn = await withTimeout(
      Promise.race([
        serial.nextConnection(),
        exited.then((code) => {
          throw new Error(`qemu exited (${code}) before the guest connected: ${stderr.slice(-1500)}`);
        }),
      ]),
      30_000,
      () => `qemu did not open the serial port: ${stderr.slice(-1500)}`,
    );
    return { qemu, lines: lineIterator(conn), exited, consoleLog, startedAt: Date.now() };
  };

  const consoleTail = (b: Boot): string =>
    existsSync(b.consoleLog) ? readFileSync(b.consoleLog, 'utf8').slice(-3000) : '(no console)';

  const nextLine = async (b: Boot): Promise<string> => {
    const r = await withTimeout(
      b.lines.next(),
      bootTimeoutMs,
      () => `the guest went silent:\n${consoleTail(b)}`,
    );
    if (r.done) throw new Error(`the guest closed its port:\n${consoleTail(b)}`);
    if (r.value.startsWith('FAIL ')) throw new Error(`guest: ${r.value}\n${consoleTail(b)}`);
    return r.value;
  };

  /** Reads BOOT, CHECK and the R lines; compares with what was acknowledged before this boot. */
  const readCheck = async (b: Boot): Promise<{ driverAtS: number; next: string }> => {
    let line = await nextLine(b);
    const boot = /^BOOT uptime=([\d.]+)/.exec(line);
    if (!boot) throw new Error(`expected BOOT, got: ${line}`);
    line = await nextLine(b);
    const check = /^CHECK (.*)$/.exec(line);
    if (!check) throw new Error(`expected CHECK, got: ${line}`);
    const present = new Map<string, number>();
    for (line = await nextLine(b); line.startsWith('R '); line = await nextLine(b))
      for (const item of line.slice(2).split(' ')) {
        const [id, s] = item.split(':');
        if (id) present.set(id, Number(s));
      }
    // What the pad's start did before it was ready (a repair after a damaging cut, say).
    for (; line.startsWith('NOTE '); line = await nextLine(b)) {
      notes += 1;
      log(`guest: ${line}`);
    }
    const fields = check[1] ?? '';
    if (fields !== 'none') {
      const integrity = /integrity=(\S+)/.exec(fields)?.[1];
      if (integrity !== 'ok') integrityFailures.push(integrity ?? fields);
      if (!/chain=ok/.test(fields)) chainFailures += 1;
    }
    const before = lost.size;
    for (const [id, stars] of acked) if (present.get(id) !== stars) lost.add(id);
    if (boots.length > 0) lostPerCut.push(lost.size - before);
    return { driverAtS: Number(boot[1]), next: line };
  };

  try {
    for (let cut = 0; cut <= opts.cuts; cut++) {
      const phase = cut < opts.cuts ? 'run' : 'check';
      let b: Boot;
      let checked: { driverAtS: number; next: string };
      try {
        b = await startBoot(phase);
        checked = await readCheck(b);
      } catch (err) {
        // KVM exists on some machines yet hangs the guest: fall back to TCG once.
        if (accel === 'kvm' && opts.accel !== 'kvm' && boots.length === 0) {
          log(`KVM boot failed (${String(err).slice(0, 200)}); using TCG`);
          accel = 'tcg';
          cut -= 1;
          continue;
        }
        throw err;
      }
      const fig: BootFigures = {
        phase,
        driverAtS: checked.driverAtS,
        readyAtS: null,
        checkedMs: Date.now() - b.startedAt,
        firstAckMs: null,
        acksThisBoot: 0,
        cutAfterFirstAckMs: null,
      };
      boots.push(fig);
      if (phase === 'check') {
        if (checked.next !== 'DONE') throw new Error(`expected DONE, got: ${checked.next}`);
        await withTimeout(b.exited, 60_000, () => 'the guest did not power off');
        break;
      }
      const ready = /^READY mode=(\S+) uptime=([\d.]+)/.exec(checked.next);
      if (!ready) throw new Error(`expected READY, got: ${checked.next}\n${consoleTail(b)}`);
      if (ready[1] !== opts.mode) throw new Error(`the guest runs ${ready[1]}, not ${opts.mode}`);
      fig.readyAtS = Number(ready[2]);
      let cutTimer: NodeJS.Timeout | undefined;
      const [lo, hi] = opts.cutWindowMs;
      const cutAfter = Math.round(lo + Math.random() * (hi - lo));
      // Every line until the plug is pulled; an ACK counts only once the host has read it.
      const reading = (async () => {
        for (;;) {
          const r = await b.lines.next();
          if (r.done) return;
          const a = /^ACK (\S+) (\d)$/.exec(r.value);
          if (a) {
            acked.set(a[1] as string, Number(a[2]));
            fig.acksThisBoot += 1;
            if (fig.firstAckMs === null) {
              fig.firstAckMs = Date.now() - b.startedAt;
              fig.cutAfterFirstAckMs = cutAfter;
              cutTimer = setTimeout(() => b.qemu.kill('SIGKILL'), cutAfter);
            }
          } else if (r.value.startsWith('FAIL ')) throw new Error(`guest: ${r.value}\n${consoleTail(b)}`);
          else if (r.value.startsWith('NOTE ')) {
            notes += 1;
            log(`guest: ${r.value}`);
          }
        }
      })();
      try {
        await withTimeout(
          reading,
          bootTimeoutMs + hi,
          () => `no acknowledgement, no cut:\n${consoleTail(b)}`,
        );
      } finally {
        clearTimeout(cutTimer);
        if (b.qemu.exitCode === null && b.qemu.signalCode === null) b.qemu.kill('SIGKILL');
      }
      await b.exited;
      if (b.qemu.signalCode !== 'SIGKILL')
        throw new Error(`qemu stopped by itself (${b.qemu.exitCode}):\n${consoleTail(b)}`);
      log(
        `cut ${cut + 1}/${opts.cuts} (${opts.mode}, ${accel}): ${fig.acksThisBoot} acknowledged this boot, ` +
          `cut ${cutAfter} ms after the first; ${acked.size} in all, ${lost.size} lost so far`,
      );
    }
  } finally {
    serial.close();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    mode: opts.mode,
    accel,
    cuts: opts.cuts,
    acknowledged: acked.size,
    lost: [...lost],
    lostPerCut,
    integrityFailures,
    chainFailures,
    notes,
    boots,
    elapsedMs: Date.now() - t0,
  };
}
