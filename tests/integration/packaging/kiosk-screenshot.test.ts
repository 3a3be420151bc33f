import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { xwdToPng } from '../../helpers/xwd.js';
import { root } from './builder-config.js';

const shot = join(root, 'test-results/screenshots/kiosk-session-xvfb.png');

/** A process group we started, ended by its id; resolves when none of its processes is left. */
async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-(child.pid as number), 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-child.pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 200));
  if (alive()) process.kill(-child.pid, 'SIGKILL');
}

/**
 * The browser-shell variant of the kiosk session (packaging/linux/bin/hcp-kiosk-browser: the core,
 * then Chromium in kiosk mode) on an Xvfb display, and a dump of that display as the screenshot.
 */
describe('kiosk session under Xvfb', () => {
  const t = tempDir('hcp-xvfb-');
  let xvfb: ChildProcess | undefined;
  let session: ChildProcess | undefined;
  afterAll(async () => {
    await stopGroup(session);
    await stopGroup(xvfb);
    // Chromium's helpers may still be flushing their profile for a moment.
    rmSync(t.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  });

  it('shows the idle screen full screen', { timeout: 120_000 }, async () => {
    if (
      !['dist/core/cli.mjs', 'dist/platform-sim/main.mjs', 'dist/renderer/index.html'].every((f) =>
        existsSync(join(root, f)),
      )
    ) {
      const b = spawnSync(process.execPath, ['--import', 'tsx', 'tools/build.ts', 'all'], { cwd: root });
      expect(b.status, String(b.stderr)).toBe(0);
    }
    // -displayfd: Xvfb picks a free display itself and tells us which.
    xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const display = await new Promise<string>((resolve, reject) => {
      const fd3 = xvfb?.stdio[3] as NodeJS.ReadableStream;
      fd3.setEncoding('utf8');
      fd3.on('data', (d: string) => resolve(`:${d.trim()}`));
      xvfb?.on('exit', (code) => reject(new Error(`Xvfb exited ${code}`)));
    });
    mkdirSync(join(t.dir, 'run'), { mode: 0o700 });
    session = spawn(join(root, 'packaging/linux/bin/hcp-kiosk-browser'), [], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        DISPLAY: display,
        XDG_RUNTIME_DIR: join(t.dir, 'run'),
        HCP_APP_DIR: root,
        HCP_NODE: process.execPath,
        HCP_CHROMIUM_FLAGS: '--no-sandbox --disable-gpu --disable-dev-shm-usage',
        HCP__dataDir: join(t.dir, 'data'),
        HCP__windowApi__port: '0',
      },
    });
    // The screen is up when the dump is no longer one flat colour (Xvfb starts black).
    let frame: ReturnType<typeof xwdToPng> | null = null;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      const dump = spawnSync('xwd', ['-root', '-silent', '-display', display], { maxBuffer: 64e6 });
      if (dump.status !== 0) continue;
      frame = xwdToPng(dump.stdout);
      if (frame.distinctColours > 50) {
        // one more frame after the first paint, so web fonts and layout have settled
        await new Promise((r) => setTimeout(r, 3000));
        frame = xwdToPng(
          spawnSync('xwd', ['-root', '-silent', '-display', display], { maxBuffer: 64e6 }).stdout,
        );
        break;
      }
    }
    expect(frame).not.toBeNull();
    mkdirSync(join(root, 'test-results/screenshots'), { recursive: true });
    writeFileSync(shot, (frame as ReturnType<typeof xwdToPng>).png);
    expect(frame?.width).toBe(1280);
    expect(frame?.distinctColours).toBeGreaterThan(50);
    expect(frame?.blackFraction, 'the pad fills the screen').toBeLessThan(0.01);
    expect(session.exitCode).toBeNull(); // still running: nothing died on the way
  });
});
