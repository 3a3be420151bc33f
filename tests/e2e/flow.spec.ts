import Database from 'better-sqlite3';
import { registerRecordFunctions } from '../../src/store/record-codec.js';
import { join } from 'node:path';
import { ITEM, expect, shot, signIn, test } from './fixtures.js';

/** The walking skeleton's path: window API → prompt → a touch on a star → committed → thanks → idle. */
test('a touch on a star becomes a committed rating, then thanks, then idle', async ({ page, pad }) => {
  await page.goto(pad.url);
  await expect(page.getByTestId('screen-idle')).toBeVisible();
  await expect(page.getByText('12').first()).toBeVisible();
  await shot(page, '01-idle-away');

  await signIn(page);
  await expect(page.getByText('李明').first()).toBeVisible();
  await shot(page, '02-staff-signed-in');
  await page.getByTestId('staff-close').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible();
  await shot(page, '03-idle-on-duty');

  const start = await pad.api('POST', '/v1/evaluations', {
    cases: [{ projectNo: '370900-2026-000123', ...ITEM }],
  });
  expect(start.status).toBe(201);
  const id = String(start.body.evaluationId);

  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await expect(page.getByText('非常满意')).toBeVisible();
  await expect(page.getByText('非常不满意')).toBeVisible();
  await shot(page, '04-rating');

  await page.getByTestId('star-4').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  // A touch on 3–5 stars offers the optional positive indicators; skip them.
  await expect(page.getByTestId('screen-reasons')).toBeVisible();
  await shot(page, '05-optional-extras');
  await page.getByTestId('reasons-skip').click();
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  await expect(page.getByText('感谢您的评价')).toBeVisible();
  await shot(page, '06-thanks');

  // The thanks screen appears only after the commit: the row is in the file now.
  const db = new Database(join(pad.dataDir, 'kiosk.db'), { readonly: true });
  registerRecordFunctions(db);
  const row = db
    .prepare(
      'SELECT status, satisfaction, record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records WHERE record_id = ?',
    )
    .get(id) as {
    status: string;
    satisfaction: number;
    body: string;
  };
  db.close();
  expect(row).toMatchObject({ status: 'rated', satisfaction: 4 });
  expect(JSON.parse(row.body)).toMatchObject({ inputSource: 'touch', pf: '4', staffId: 'T0107' });

  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });
  expect((await pad.api('GET', `/v1/evaluations/${id}`)).body.state).toBe('done');
});

test('a bad window API request names the problem and changes nothing', async ({ page, pad }) => {
  await page.goto(pad.url);
  const bad = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: '', ...ITEM }] });
  expect(bad.status).toBe(400);
  expect(String(bad.body.message)).toContain('cases.0.projectNo');
  await expect(page.getByTestId('screen-idle')).toBeVisible();
});
