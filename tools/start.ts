/**
 * `npm start`: the pad with a simulated board, a virtual printer and the platform simulator (all
 * defaults; the pad starts the simulator as a separate process, `platform.baseUrl: "embedded"`). Electron when its binary is present; otherwise the browser shell —
 * opened in Chromium's app mode when there is a display, else its URL printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCore, buildMain, buildPlatformSim, buildRenderer } from './build.js';
import { findElectronBinary } from './electron-binary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const noOpen = args.includes('--no-open');

if (!args.includes('--no-build') || !existsSync(join(root, 'dist/renderer/index.html'))) buildRenderer();
await buildPlatformSim();

const electron = findElectronBinary();
if ('path' in electron && !args.includes('--browser')) {
  await buildMain();
  const child = spawn(electron.path, [join(root, 'dist/main/main.cjs')], { stdio: 'inherit', cwd: root });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if ('missing' in electron)
    console.log(
      `Electron 不可用，使用浏览器外壳 / Electron not available (${electron.missing}); using the browser shell.`,
    );
  await buildCore();
  superviseCore();
}

/**
 * The browser shell's supervisor: runs the core and starts it again a second after it ends on
 * its own (a crash, exit code 70 from its process guard), with the same shell port and token so
 * the open screen reconnects by itself. Ctrl+C / SIGTERM stop it for good.
 */
function superviseCore(): void {
  const shellToken = randomBytes(24).toString('base64url');
  let shellPort = '';
  let stopping = false;
  let current: ChildProcess | null = null;
  let opened = false;
  const run = () => {
    const core = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        join(root, 'dist/core/cli.mjs'),
        'serve',
        ...args.filter((a) => !a.startsWith('--no-') && a !== '--browser'),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          HCP_QUIET: process.env.HCP_QUIET ?? '1',
          HCP_SHELL_TOKEN: shellToken,
          ...(shellPort ? { HCP__shell__port: shellPort } : {}),
        },
      },
    );
    current = core;
    core.stdout.setEncoding('utf8');
    core.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      const m = /hcp-kiosk (?:setup|shell) (\S+)/.exec(chunk);
      if (!m) return;
      const launch = m[1] as string;
      if (!shellPort) shellPort = shellPortOf(launch);
      if (!opened) {
        opened = true;
        openScreen(launch);
      }
    });
    core.on('exit', (code, signal) => {
      current = null;
      if (stopping || code === 0 || code === 2) process.exit(code ?? 0);
      console.error(`核心进程退出 (${code ?? signal})，1 秒后重启 / core ended, restarting in 1 s`);
      setTimeout(run, 1000);
    });
  };
  const stop = () => {
    stopping = true;
    if (current) current.kill('SIGTERM');
    else process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  run();
}

function shellPortOf(launchFileUrl: string): string {
  try {
    const html = readFileSync(new URL(launchFileUrl), 'utf8');
    return /data-url="http:\/\/127\.0\.0\.1:(\d+)\//.exec(html)?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Chromium in app mode on the launch file: the token is in that 0600 file, not on its command line. */
function openScreen(launch: string): void {
  const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) =>
    existsSync(p),
  );
  if (!noOpen && display && chromium) {
    spawn(
      chromium,
      [
        `--app=${launch}`,
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
        `--user-data-dir=${join(root, '.data', 'chromium')}`,
      ],
      { stdio: 'ignore', detached: true },
    ).unref();
    console.log('已在 Chromium 中打开 / opened in Chromium app mode');
  } else {
    console.log(
      `\n打开此文件使用评价器 / open the pad with:\n  ${launch}\n(键盘 1–5 模拟评价器按键 / keys 1–5 press the simulated star keys)\n`,
    );
  }
}
