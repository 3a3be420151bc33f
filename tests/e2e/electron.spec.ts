import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findElectronBinary } from '../../tools/electron-binary.js';

const root = join(import.meta.dirname, '../..');
const binary = findElectronBinary();

test.describe('Electron shell', () => {
  test.skip('missing' in binary, `Electron binary absent: ${'missing' in binary ? binary.missing : ''}`);

  test('opens the locked-down window on app://kiosk and shows the idle screen', async () => {
    if (!('path' in binary)) return;
    const dataDir = mkdtempSync(join(tmpdir(), 'hcp-electron-'));
    const app = await electron.launch({
      executablePath: binary.path,
      args: [join(root, 'dist/main/main.cjs'), '--no-sandbox'],
      env: { ...process.env, HCP__dataDir: dataDir, HCP__windowApi__port: '0', HCP_QUIET: '1' },
    });
    const page = await app.firstWindow();
    await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 30_000 });
    expect(page.url()).toMatch(/^app:\/\/kiosk\//);
    // The renderer has the kiosk API and nothing of Node.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { kiosk?: unknown }).kiosk)).toBe(
      'object',
    );
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe(
      'undefined',
    );
    // Navigation away from app://kiosk is refused by the main process.
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/kiosk\//);
    await page.screenshot({ path: join(root, 'test-results/screenshots/electron-idle.png') });
    await app.close();
  });
});
