import { expect, ITEM, shot, signIn, STAFF_PIN, test, unlockStaffPanel } from './fixtures.js';

test('a citizen’s touch on 工作人员 meets a PIN pad, not the staff panel', async ({ page, pad }) => {
  await page.goto(pad.url);
  await signIn(page);
  await expect(page.getByTestId('figures-today')).toBeVisible();
  await page.getByTestId('staff-close').click(); // staff steps away; the citizen is at the pad
  await expect(page.getByTestId('screen-idle')).toBeVisible();
  await page.getByTestId('staff-open').click();
  await expect(page.getByTestId('staff-pin-gate')).toBeVisible();
  await shot(page, '22-staff-pin-gate');
  // nothing of the panel is there: no figures, no reviews, no controls
  for (const id of ['figures-today', 'tab-bad-reviews', 'window-pause', 'staff-signout', 'tab-start'])
    await expect(page.getByTestId(id)).toHaveCount(0);
  // a wrong PIN stays at the gate
  for (const d of '135790') await page.getByTestId(`pin-key-${d}`).click();
  await page.getByTestId('staff-unlock-submit').click();
  await expect(page.getByTestId('staff-unlock-error')).toBeVisible();
  await expect(page.getByTestId('figures-today')).toHaveCount(0);
  // the member's PIN opens it
  for (const d of STAFF_PIN) await page.getByTestId(`pin-key-${d}`).click();
  await page.getByTestId('staff-unlock-submit').click();
  await expect(page.getByTestId('figures-today')).toBeVisible();
  await expect(page.getByTestId('staff-lock-hint')).toContainText('60 秒'); // the default: a minute
});

test('the panel locks itself after a minute untouched, and when an evaluation starts', async ({
  page,
  pad,
}) => {
  await page.clock.install();
  await page.goto(pad.url);
  await signIn(page);
  await expect(page.getByTestId('figures-today')).toBeVisible();
  await page.clock.fastForward(30_000);
  await expect(page.getByTestId('figures-today')).toBeVisible(); // half a minute: still open
  await page.clock.fastForward(31_000);
  await expect(page.getByTestId('staff-pin-gate')).toBeVisible();
  await expect(page.getByTestId('figures-today')).toHaveCount(0);
  await shot(page, '23-staff-panel-locked');

  await unlockStaffPanel(page);
  await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'L-1', ...ITEM }] });
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await page.getByTestId('star-5').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('staff-open').click();
  await expect(page.getByTestId('staff-pin-gate')).toBeVisible();
});
