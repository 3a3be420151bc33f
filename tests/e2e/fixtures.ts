import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
export const SHOTS_DIR = join(root, 'test-results', 'screenshots');
export const WINDOW_TOKEN = 'e2e-window-api-token-0123456789';

export interface Pad {
  url: string;
  windowApi: string;
  dataDir: string;
  process: ChildProcess;
  /** POST/GET/DELETE on the window API with the bearer token */
  api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * Starts the real pad (core + browser shell + embedded platform simulator + simulated board +
 * virtual printer) on a fresh data directory, as `npm start` does, and reads its URLs.
 */
export async function startPad(env: Record<string, string> = {}): Promise<Pad> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hcp-e2e-'));
  // `npm test` builds dist/core/cli.mjs before the e2e step (the same bundle `npm start` runs).
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/core/cli.mjs'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      HCP_QUIET: '1',
      HCP__dataDir: dataDir,
      HCP__windowApi__port: '0',
      HCP__windowApi__token: WINDOW_TOKEN,
      HCP__windowApi__rateLimitPerS: '100',
      HCP__platform__batchIntervalMs: '500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const urls = await new Promise<{ url: string; windowApi: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pad did not start:\n${out}\n${err}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const shell = /hcp-kiosk shell (\S+)/.exec(out);
      const api = /hcp-kiosk window-api (\S+)/.exec(out);
      if (shell && api) {
        clearTimeout(timer);
        resolve({ url: shellUrlFrom(shell[1] as string), windowApi: api[1] as string });
      }
    });
    child.on('exit', (code) => reject(new Error(`pad exited with ${code}:\n${out}\n${err}`)));
  });
  return {
    ...urls,
    dataDir,
    process: child,
    async api(method, path, body) {
      const res = await fetch(urls.windowApi + path, {
        method,
        headers: {
          Authorization: `Bearer ${WINDOW_TOKEN}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The pad prints its shell address as a private launch file (the token stays out of stdout). */
function shellUrlFrom(printed: string): string {
  if (!printed.startsWith('file://')) return printed;
  const m = /data-url="([^"]+)"/.exec(readFileSync(new URL(printed), 'utf8'));
  if (!m) throw new Error(`no URL in the launch file ${printed}`);
  return (m[1] as string).replace(/&amp;/g, '&');
}

export const test = base.extend<{ pad: Pad }>({
  pad: async ({}, use) => {
    const pad = await startPad();
    await use(pad);
    await pad.stop();
  },
});
export { expect };

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
}

export const STAFF_PIN = '246810';

/**
 * Opens the staff panel as the signed-in member would: a touch on 工作人员 meets the PIN pad
 * (every time: closing the panel, a minute untouched or an evaluation starting locks it), the
 * PIN goes in on the on-screen keypad, and the panel shows.
 */
export async function unlockStaffPanel(page: Page, pin = STAFF_PIN): Promise<void> {
  if (!(await page.getByTestId('staff-pin-gate').isVisible())) await page.getByTestId('staff-open').click();
  await expect(page.getByTestId('staff-pin-gate')).toBeVisible();
  for (const d of pin) await page.getByTestId(`pin-key-${d}`).click();
  await page.getByTestId('staff-unlock-submit').click();
  await expect(page.getByTestId('staff-lock-hint')).toBeVisible();
}

/** Signs a staff member in through the staff panel's keypad, as staff would (opens the panel). */
export async function signIn(page: Page, staffId = 'T0107', pin = '246810'): Promise<void> {
  await page.getByTestId('staff-open').click();
  await page.getByTestId('staff-signin-id').fill(staffId);
  for (const d of pin) await page.getByTestId(`pin-key-${d}`).click();
  await page.getByTestId('staff-signin-submit').click();
  // Signed in with the PIN: the panel is open (and locks again when closed).
  await expect(page.getByTestId('staff-lock-hint')).toBeVisible({ timeout: 20_000 });
}

export const ITEM = { taskCode: '370900-XK-0001', taskName: '个体工商户设立登记', promiseType: 1 };

/**
 * Picks the first bad-review indicator the way a person does: after the reasons screen is up and
 * the touch guard's lock-out (400 ms after the star was taken) has passed; a tap inside it is, by
 * design, the same press firing again and is ignored.
 */
export async function chooseFirstReason(page: Page): Promise<void> {
  await expect(page.getByTestId('screen-reasons')).toBeVisible();
  await page.waitForTimeout(450);
  const chip = page.locator('[data-testid^="reason-"]').first();
  await chip.click();
  await expect(chip).toHaveAttribute('aria-pressed', 'true');
}
