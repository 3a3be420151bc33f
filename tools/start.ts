/**
 * `npm start`: the pad with a simulated board, a virtual printer and the platform simulator (all
 * defaults; the pad starts the simulator as a separate process, `platform.baseUrl: "embedded"`). Electron when its binary is present; otherwise the browser shell —
 * opened in Chromium's app mode when there is a display, else its URL printed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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
      env: { ...process.env, HCP_QUIET: process.env.HCP_QUIET ?? '1' },
    },
  );
  let opened = false;
  core.stdout.setEncoding('utf8');
  core.stdout.on('data', (chunk: string) => {
    process.stdout.write(chunk);
    const m = /hcp-kiosk shell (\S+)/.exec(chunk);
    if (m && !opened) {
      opened = true;
      const url = m[1] as string;
      const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
      const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
        (p) => existsSync(p),
      );
      if (!noOpen && display && chromium) {
        spawn(
          chromium,
          [
            `--app=${url}`,
            '--no-first-run',
            '--disable-background-networking',
            '--disable-sync',
            `--user-data-dir=${join(root, '.data', 'chromium')}`,
          ],
          {
            stdio: 'ignore',
            detached: true,
          },
        ).unref();
        console.log('已在 Chromium 中打开 / opened in Chromium app mode');
      } else {
        console.log(
          `\n打开此地址使用评价器 / open the pad at:\n  ${url}\n(键盘 1–5 模拟评价器按键 / keys 1–5 press the simulated star keys)\n`,
        );
      }
    }
  });
  const stop = () => core.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  core.on('exit', (code) => process.exit(code ?? 0));
}
