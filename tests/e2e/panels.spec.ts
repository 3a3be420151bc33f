import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, shot, signIn, test, unlockStaffPanel } from './fixtures.js';

test('staff start an evaluation on the pad; a simulated key rates it; a receipt prints with 补打 on the copy', async ({
  page,
  pad,
}) => {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('tab-start').click();
  await expect(page.getByTestId('start-form')).toBeVisible();
  await page.getByTestId('start-task').selectOption({ index: 1 });
  await page.getByTestId('start-case-no').fill('370900-2026-009999');
  await page.getByTestId('start-print').check();
  await shot(page, '20-staff-start-form');
  await page.getByTestId('start-submit').click();
  // The staff panel closes as the prompt opens; the star key on the board rates.
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await expect(page.getByTestId('staff-open')).toBeHidden();
  await page.keyboard.press('5');
  await expect(page.getByTestId('screen-thanks')).toBeVisible();

  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });
  await unlockStaffPanel(page);
  await page.getByTestId('tab-recent').click();
  await shot(page, '21-staff-recent');
  await page.locator('[data-testid^="recent-print-"]').first().click();
  await expect(page.getByTestId('recent-msg')).toBeVisible();
  const receipts = join(pad.dataDir, 'receipts');
  await expect
    .poll(() => (existsSync(receipts) ? readdirSync(receipts).filter((f) => f.endsWith('.png')).length : 0), {
      timeout: 15_000,
    })
    .toBe(2);
  const db = new Database(join(pad.dataDir, 'kiosk.db'), { readonly: true });
  const prints = db.prepare('SELECT copy, result FROM receipt_prints ORDER BY id').all();
  db.close();
  expect(prints).toEqual([
    { copy: 0, result: 'printed' },
    { copy: 1, result: 'printed' },
  ]);
});

test('technician screens: board diagnostics with a live key test, printer, sync, system', async ({
  page,
  pad,
}) => {
  await page.goto(pad.url);
  await page.getByTestId('staff-open').click();
  await page.getByTestId('tech-open').click();
  await shot(page, '30-tech-unlock');
  for (const d of '000000') await page.getByTestId(`tech-key-${d}`).click();
  await page.getByTestId('tech-unlock-submit').click();
  await expect(page.getByTestId('board-tab')).toBeVisible();
  await expect(page.getByTestId('board-state')).toContainText('ok');
  await page.getByTestId('sim-press-3').click();
  await expect(page.getByTestId('board-key-3')).toHaveAttribute('data-lit', /true|1/);
  await page.getByTestId('led-mode-2').click();
  await shot(page, '31-tech-board');
  await page.getByTestId('tab-printer').click();
  await expect(page.getByTestId('printer-state')).toContainText('正常');
  await page.getByTestId('printer-test-page').click();
  await shot(page, '32-tech-printer');
  await page.getByTestId('tab-sync').click();
  await expect(page.getByTestId('sync-pending')).toBeVisible();
  await page.getByTestId('sync-now').click();
  // The pass has finished (the button is back) and it went through.
  await expect(page.getByTestId('sync-now')).toBeEnabled();
  await expect(page.getByTestId('sync-error')).toHaveCount(0);
  await shot(page, '33-tech-sync');
  await page.getByTestId('tab-system').click();
  await expect(page.getByTestId('system-db-integrity')).toContainText('ok');
  await shot(page, '34-tech-system');
  // The key test's press was outside any evaluation: logged, not a rating.
  const status = await pad.api('GET', '/v1/status');
  expect(status.body.outbox).toEqual({ pending: 0, rejected: 0 });
});
