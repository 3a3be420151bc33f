import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from './paths.js';

/**
 * Starts the platform simulator — a program of its own, never part of the pad's bundles — as a
 * child process, for `platform.baseUrl: "embedded"` (demos, development, the e2e tests). A
 * production build does not carry the simulator; there `embedded` fails with a clear message.
 */
export interface LaunchedPlatform {
  url: string;
  demoSecret: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

function simulatorCommand(): { command: string; args: string[] } {
  const root = appRoot();
  const bundle = join(root, 'dist/platform-sim/main.mjs');
  const source = join(root, 'platform-sim/main.ts');
  // From source (tsx, tests) the source is newest; from a bundle, the bundle next to it.
  const fromSource = import.meta.url.endsWith('.ts');
  if (fromSource && existsSync(source))
    return { command: process.execPath, args: ['--import', 'tsx', source] };
  if (existsSync(bundle)) return { command: process.execPath, args: [bundle] };
  if (existsSync(source)) return { command: process.execPath, args: ['--import', 'tsx', source] };
  throw new Error(
    '平台模拟器不在此版本中 / platform.baseUrl "embedded" needs the platform simulator, which this build does not include: configure the platform URL and the provisioned deviceSecret',
  );
}

function run(
  args: string[],
  keepRunning: boolean,
  env: Record<string, string> = {},
): { child: ChildProcess; lines: AsyncIterable<string> } {
  const { command, args: base } = simulatorCommand();
  const child = spawn(command, [...base, ...args], {
    cwd: appRoot(),
    // Under Electron, process.execPath is Electron itself: run it as plain Node.
    env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: [keepRunning ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  child.stdout?.setEncoding('utf8');
  async function* lines(): AsyncIterable<string> {
    let buf = '';
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, i);
        buf = buf.slice(i + 1);
      }
    }
  }
  return { child, lines: lines() };
}

async function readDemoLines(
  child: ChildProcess,
  lines: AsyncIterable<string>,
  wantUrl: boolean,
): Promise<{ url: string; demoSecret: string }> {
  let url = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const listening = /^platform-sim listening (\S+)/.exec(line);
      if (listening) url = listening[1] as string;
      const demo = /^demo device \S+ secret (\S+)/.exec(line);
      if (demo && (url || !wantUrl)) return { url, demoSecret: demo[1] as string };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`platform simulator ended before it was ready (exit ${String(child.exitCode)})`);
}

/** The demo device's secret, asked of the simulator program (for `deviceSecret: "demo"`). */
export async function demoDeviceSecret(): Promise<string> {
  const { child, lines } = run(['--print-demo-device'], false);
  return (await readDemoLines(child, lines, false)).demoSecret;
}

export async function launchEmbeddedPlatform(opts: {
  dbPath: string;
  /** This pad's identity, provisioned on the simulator; secret `demo` means the demo secret. */
  device: { deviceId: string; secret: string; windowNo: string };
  timing: { rateTimeoutS: number; reasonsTimeoutS: number; appealWorkingDays: number };
}): Promise<LaunchedPlatform> {
  const args = [
    '--port',
    '0',
    '--db',
    opts.dbPath,
    '--profile-window',
    opts.device.windowNo,
    '--profile-timing',
    JSON.stringify(opts.timing),
    '--exit-with-stdin',
  ];
  // The secret goes through the environment, not the command line other users can read.
  const { device } = opts;
  const { child, lines } = run(args, true, {
    PLATFORM_SIM_DEVICES: `${device.deviceId}:${device.secret}:${device.windowNo}`,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: { url: string; demoSecret: string };
  try {
    ready = await readDemoLines(child, lines, true);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for await (const _ of lines) {
      /* nothing more to read */
    }
  })();
  return {
    url: ready.url,
    demoSecret: ready.demoSecret,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
