import Database from 'better-sqlite3';
import { registerRecordFunctions } from '../../src/store/record-codec.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  type Pad,
} from './fixtures.js';
import { scanForPersonalNumbers } from './privacy-scan.js';

function records(pad: Pad): Array<Record<string, unknown>> {
  const db = new Database(join(pad.dataDir, 'kiosk.db'), { readonly: true });
  registerRecordFunctions(db);
  const rows = db
    .prepare(
      'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records ORDER BY device_seq',
    )
    .all() as Array<{
    body: string;
  }>;
  db.close();
  return rows.map((r) => JSON.parse(r.body) as Record<string, unknown>);
}

async function ready(page: Page, pad: Pad) {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('staff-close').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible();
}

const FOOD = { taskCode: '370900-XK-0107', taskName: '食品经营许可（新办）', promiseType: 2 };
const TAX = { taskCode: '370900-GG-0808', taskName: '增值税发票申领', promiseType: 1 };

test('batch: one rating, one record per case with a shared groupId', async ({ page, pad }) => {
  await ready(page, pad);
  const r = await pad.api('POST', '/v1/evaluations', {
    cases: ['B-001', 'B-002', 'B-003'].map((projectNo) => ({ projectNo, ...ITEM })),
    groupType: 'batch',
  });
  expect(r.status).toBe(201);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await shot(page, '10-batch-rating');
  await page.getByTestId('star-5').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('reasons-skip').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  const recs = records(pad);
  expect(recs.map((x) => x.projectNo)).toEqual(['B-001', 'B-002', 'B-003']);
  expect(new Set(recs.map((x) => x.groupId)).size).toBe(1);
  expect(recs.every((x) => x.groupType === 'batch' && x.satisfaction === 5)).toBe(true);
});

test('chain overall: one rating for all linked items', async ({ page, pad }) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', {
    cases: [
      { projectNo: 'C-1', ...ITEM },
      { projectNo: 'C-2', ...FOOD },
      { projectNo: 'C-3', ...TAX },
    ],
    groupType: 'chain',
  });
  await expect(page.getByTestId('screen-chain-choice')).toBeVisible();
  await shot(page, '11-chain-choice');
  await page.getByTestId('chain-overall').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('star-4').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('reasons-skip').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  expect(records(pad).map((x) => [x.projectNo, x.satisfaction, x.groupType])).toEqual([
    ['C-1', 4, 'chain'],
    ['C-2', 4, 'chain'],
    ['C-3', 4, 'chain'],
  ]);
});

test('chain each: the citizen rates item by item', async ({ page, pad }) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', {
    cases: [
      { projectNo: 'C-1', ...ITEM },
      { projectNo: 'C-2', ...FOOD },
    ],
    groupType: 'chain',
  });
  await page.getByTestId('chain-each').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByText('个体工商户设立登记').first()).toBeVisible();
  await shot(page, '12-chain-each-item-1');
  await page.getByTestId('star-5').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('reasons-skip').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByText('食品经营许可（新办）').first()).toBeVisible();
  await page.getByTestId('star-3').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('reasons-skip').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  expect(records(pad).map((x) => [x.projectNo, x.satisfaction])).toEqual([
    ['C-1', 5],
    ['C-2', 3],
  ]);
});

test('reasons required: a bad review needs an indicator, then is uploaded', async ({ page, pad }) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'R-1', ...ITEM }] });
  await page.getByTestId('star-2').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByTestId('screen-reasons')).toBeVisible();
  await expect(page.getByTestId('reasons-submit')).toBeDisabled();
  await shot(page, '13-reasons-required');
  await chooseFirstReason(page);
  await page.getByTestId('reasons-submit').click();
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  const [rec] = records(pad);
  expect(rec).toMatchObject({ satisfaction: 2, status: 'rated' });
  expect(String(rec?.evalDetail)).toMatch(/^\d+/);
});

test('即办件 refusal and 承诺件 second visit', async ({ page, pad }) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'J-1', ...ITEM }] });
  await page.getByTestId('star-5').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await page.getByTestId('reasons-skip').click();
  await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  const again = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'J-1', ...ITEM }] });
  expect(again.status).toBe(409);
  expect(again.body.error).toBe('already_rated');

  for (const stars of [4, 5]) {
    await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });
    expect(
      (await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'P-1', ...FOOD }] })).status,
    ).toBe(201);
    await page.getByTestId(`star-${stars}`).click();
    await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
    await page.getByTestId('reasons-skip').click();
    await page.waitForTimeout(450); // the touch guard takes no second tap within 400 ms
    await expect(page.getByTestId('screen-thanks')).toBeVisible();
  }
  expect(
    records(pad)
      .filter((x) => x.projectNo === 'P-1')
      .map((x) => x.serviceNumber),
  ).toEqual([1, 2]);
});

test('paused window: no evaluation starts, the idle screen says so', async ({ page, pad }) => {
  await ready(page, pad);
  await unlockStaffPanel(page);
  await page.getByTestId('window-pause').click();
  await page.getByTestId('staff-close').click();
  await expect(page.getByText('暂停服务').first()).toBeVisible();
  await shot(page, '14-idle-paused');
  const r = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'Z-1', ...ITEM }] });
  expect(r.status).toBe(423);
  expect(r.body.error).toBe('window_paused');
});

test.describe('timeout', () => {
  let pad: Pad;
  test.beforeAll(async () => {
    pad = await startPad({ HCP__timing__rateTimeoutS: '5' });
  });
  test.afterAll(async () => pad.stop());

  test('timeout → unrated: no touch in time closes the evaluation unrated', async ({ page }) => {
    await ready(page, pad);
    const r = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'T-1', ...ITEM }] });
    await expect(page.getByTestId('screen-rating')).toBeVisible();
    await expect(page.getByTestId('screen-unrated')).toBeVisible({ timeout: 10_000 });
    await shot(page, '15-unrated');
    expect((await pad.api('GET', `/v1/evaluations/${String(r.body.evaluationId)}`)).body.state).toBe('done');
    expect(records(pad)).toEqual([expect.objectContaining({ projectNo: 'T-1', status: 'unrated' })]);
  });
});

test('staff panel: own figures, own bad reviews and an appeal; closed while a rating is open', async ({
  page,
  pad,
}) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'A-1', ...ITEM }] });
  await expect(page.getByTestId('staff-open')).toBeHidden();
  await page.getByTestId('star-1').click();
  await chooseFirstReason(page);
  await page.getByTestId('reasons-submit').click();
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });
  // Anti-interference: the bad review shows once the next evaluation at the window started.
  const next = await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'A-2', ...ITEM }] });
  await pad.api('DELETE', `/v1/evaluations/${String(next.body.evaluationId)}?reason=citizen_left`);
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 10_000 });

  await unlockStaffPanel(page);
  await expect(page.getByTestId('figures-today')).toBeVisible();
  await shot(page, '16-staff-figures');
  const recordId = String(records(pad)[0]?.evaluationId);
  await page.getByTestId('tab-bad-reviews').click();
  await expect(page.getByTestId(`bad-review-${recordId}`)).toBeVisible();
  await page.getByTestId(`appeal-open-${recordId}`).click();
  await page.getByTestId('appeal-reason').fill('该办件材料齐全，评价人误操作，请核实。');
  await shot(page, '17-appeal-form');
  await page.getByTestId('appeal-submit').click();
  await expect(page.getByText('已申诉').or(page.getByText('已提交')).first()).toBeVisible();
  const db = new Database(join(pad.dataDir, 'kiosk.db'), { readonly: true });
  const appeal = db.prepare('SELECT record_id AS r FROM appeals').get() as { r: string };
  db.close();
  expect(appeal.r).toBe(recordId);
});

test('privacy: the data dir holds no ID-number or mobile-number pattern after a run', async ({
  page,
  pad,
}) => {
  await ready(page, pad);
  await pad.api('POST', '/v1/evaluations', { cases: [{ projectNo: 'PRIV-1', ...ITEM }] });
  await page.getByTestId('star-1').click();
  await chooseFirstReason(page);
  await page.getByTestId('reasons-submit').click();
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  expect(scanForPersonalNumbers(pad.dataDir)).toEqual([]);
  // The scan itself can fail: a planted number is found.
  const planted = mkdtempSync(join(tmpdir(), 'hcp-plant-'));
  writeFileSync(join(planted, 'kiosk.log'), '{"msg":"x","phone":"13812345678","id":"370902199001011234"}');
  expect(
    scanForPersonalNumbers(planted)
      .map((h) => h.kind)
      .sort(),
  ).toEqual(['id_number', 'mobile']);
});
