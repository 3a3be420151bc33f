/**
 * Rating integrity in Chromium against the real pad and its embedded platform simulator
 * (platform-api 1.1): an abandoned 差评 reaches the platform as unrated with
 * abandonedSatisfaction; a cancel carries its reason; a bad review stays out of the staff list
 * until the next evaluation starts; the window figures show on the staff panel.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  ITEM,
  chooseFirstReason,
  expect,
  shot,
  signIn,
  startPad,
  test,
  unlockStaffPanel,
  STAFF_PIN,
  type Pad,
} from './fixtures.js';

/** What the platform simulator has stored for one evaluation id (null until it arrives). */
function atPlatform(pad: Pad, evaluationId: string): Record<string, unknown> | null {
  const db = new Database(join(pad.dataDir, 'platform-sim.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT content FROM evaluations WHERE evaluation_id = ?').get(evaluationId) as
      { content: string } | undefined;
    return row ? (JSON.parse(row.content) as Record<string, unknown>) : null;
  } finally {
    db.close();
  }
}

async function ready(page: Page, pad: Pad) {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('staff-close').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible();
}

test.describe('abandoned 差评', () => {
  let pad: Pad;
  test.beforeAll(async () => {
    pad = await startPad({ HCP__timing__reasonsTimeoutS: '5' });
  });
  test.afterAll(async () => pad.stop());

  test('a 差评 left without reasons reaches the platform as unrated with abandonedSatisfaction', async ({
    page,
  }) => {
    await ready(page, pad);
    const r = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'AB-E2E-1', ...ITEM }] });
    const id = String(r.body.evaluationId);
    await page.getByTestId('star-2').click();
    await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
    await expect(page.getByTestId('screen-reasons')).toBeVisible();
    await shot(page, '40-reasons-before-abandon');
    await expect(page.getByTestId('screen-unrated')).toBeVisible({ timeout: 15_000 });
    // No receipt was printed for it: the unrated screen promises no QR code.
    await expect(page.getByTestId('unrated-receipt-hint')).toHaveCount(0);
    await shot(page, '41-abandoned-unrated');
    await expect
      .poll(() => atPlatform(pad, id), { timeout: 15_000 })
      .toMatchObject({
        status: 'unrated',
        abandonedSatisfaction: 2,
      });
    expect(atPlatform(pad, id)).not.toHaveProperty('satisfaction');
  });
});

test('cancel with a reason; a bad review held until the next evaluation; window figures', async ({
  page,
  pad,
}) => {
  await ready(page, pad);
  const bad = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'HOLD-1', ...ITEM }] });
  const badId = String(bad.body.evaluationId);
  await page.getByTestId('star-1').click();
  await chooseFirstReason(page);
  await page.getByTestId('reasons-submit').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });

  // The citizen may still be at the window: the staff list does not show the review yet.
  await unlockStaffPanel(page);
  await page.getByTestId('tab-bad-reviews').click();
  await expect(page.getByTestId('bad-reviews-empty')).toBeVisible();
  await shot(page, '42-bad-review-held');
  await page.getByTestId('staff-close').click();

  // The next evaluation starts, and the staff withdraw it with a reason on the pad.
  const next = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'CANCEL-1', ...ITEM }] });
  const nextId = String(next.body.evaluationId);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await page.getByTestId('staff-cancel-open').click();
  await expect(page.getByTestId('staff-cancel')).toBeVisible();
  await shot(page, '43-staff-cancel-reasons');
  await page.getByTestId('staff-cancel-citizen_left').click();
  // The control is on the citizen's screen: a cancel takes the signed-in member's PIN.
  await expect(page.getByTestId('staff-cancel-pin')).toBeVisible();
  for (const d of '1357') await page.getByTestId(`cancel-pin-key-${d}`).click();
  await page.getByTestId('staff-cancel-confirm').click();
  await expect(page.getByTestId('staff-cancel-error')).toBeVisible();
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await shot(page, '44-staff-cancel-pin');
  for (const d of STAFF_PIN) await page.getByTestId(`cancel-pin-key-${d}`).click();
  await page.getByTestId('staff-cancel-confirm').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });
  expect((await pad.api('GET', `/v1/evaluations/${nextId}`)).body.state).toBe('cancelled');
  await expect
    .poll(() => atPlatform(pad, nextId), { timeout: 15_000 })
    .toMatchObject({
      status: 'cancelled',
      cancelReason: 'citizen_left',
      cancelledBy: 'T0107',
    });

  await unlockStaffPanel(page);
  await expect(page.getByTestId('window-figures')).toBeVisible();
  await expect(page.getByTestId('window-today-started')).toHaveText('2');
  await expect(page.getByTestId('window-today-rated')).toHaveText('1');
  await expect(page.getByTestId('window-today-cancelled')).toHaveText('1');
  await expect(page.getByTestId('window-today-coverage')).toHaveText('50.0%');
  await expect(page.getByTestId('figures-note')).toContainText('扫码和短信评价由平台统计');
  await expect(page.getByText('服务满意率').first()).toBeVisible();
  await shot(page, '44-window-figures');
  await page.getByTestId('tab-bad-reviews').click();
  await expect(page.getByTestId(`bad-review-${badId}`)).toBeVisible();
  await shot(page, '45-bad-review-released');
});
