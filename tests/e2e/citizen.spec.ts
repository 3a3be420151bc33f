import Database from 'better-sqlite3';
import { registerRecordFunctions } from '../../src/store/record-codec.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import { ITEM, expect, shot, signIn, startPad, test, unlockStaffPanel } from './fixtures.js';

/**
 * The citizen's side in Chromium: which voice prompt plays at each step (read from the player's
 * log, with the audio really played to Chromium's fake output), touch sequences dispatched as
 * real touch events over CDP, and the per-evaluation language switch.
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
test.use({
  launchOptions: { executablePath: process.env.HCP_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs },
  hasTouch: true,
});

type VoiceEntry = { lang: string; id: string; event: string };
const voiceLog = (page: Page) =>
  page.evaluate(
    () => ((globalThis as unknown as { __hcpVoiceLog?: VoiceEntry[] }).__hcpVoiceLog ?? []) as VoiceEntry[],
  );
const played = async (page: Page) =>
  (await voiceLog(page)).filter((e) => e.event === 'ended').map((e) => `${e.lang}/${e.id}`);

async function startEvaluation(pad: Awaited<ReturnType<typeof startPad>>, n: number): Promise<string> {
  const res = await pad.api('POST', '/v1/evaluations', {
    cases: [{ projectNo: `370900-2026-0009${String(n).padStart(2, '0')}`, ...ITEM }],
  });
  expect(res.status).toBe(201);
  return String(res.body.evaluationId);
}

function record(dataDir: string, id: string) {
  const db = new Database(join(dataDir, 'kiosk.db'), { readonly: true });
  try {
    registerRecordFunctions(db);
    return db
      .prepare(
        'SELECT status, satisfaction, record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records WHERE record_id = ?',
      )
      .get(id) as { status: string; satisfaction: number | null; body: string } | undefined;
  } finally {
    db.close();
  }
}

async function centre(page: Page, testId: string) {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A touch gesture as the panel reports it: contacts down, held, lifted. */
async function touch(
  cdp: CDPSession,
  points: Array<{ x: number; y: number; radiusX?: number; radiusY?: number }>,
  holdMs: number,
  startS = Date.now() / 1000,
) {
  const touchPoints = points.map((p, id) => ({
    x: p.x,
    y: p.y,
    radiusX: p.radiusX ?? 8,
    radiusY: p.radiusY ?? 8,
    id,
  }));
  // The panel stamps each contact; so does this: the lift is stamped `holdMs` after the touch,
  // however long the round trips to a busy browser take (the guard reads the events' stamps).
  const t0 = startS;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints, timestamp: t0 });
  if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
  await cdp.send('Input.dispatchTouchEvent', {
    type: 'touchEnd',
    touchPoints: [],
    timestamp: t0 + holdMs / 1000,
  });
}

test('the right voice prompt plays at each step; a hall file replaces a shipped one', async ({ page }) => {
  test.setTimeout(360_000);
  const pad = await startPad({
    HCP__citizen__attract__afterS: '0',
    HCP__timing__reasonsTimeoutS: '45',
    HCP__timing__rateTimeoutS: '30',
    HCP__citizen__voice__reasonsReminderS: '15',
  });
  try {
    // The hall's own "thanks" (a WAV) is dropped into the data dir: it is the one served.
    mkdirSync(join(pad.dataDir, 'voice', 'en'), { recursive: true });
    const wav = Buffer.alloc(44 + 16000);
    wav.write('RIFF', 0);
    wav.writeUInt32LE(36 + 16000, 4);
    wav.write('WAVEfmt ', 8);
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(16000, 24);
    wav.writeUInt32LE(32000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36);
    wav.writeUInt32LE(16000, 40);
    for (let i = 0; i < 8000; i++) wav.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), 44 + i * 2);
    writeFileSync(join(pad.dataDir, 'voice', 'en', 'thanks.wav'), wav);
    const served: Record<string, string> = {};
    page.on('response', (r) => {
      const m = /\/voice\/(.+)$/.exec(new URL(r.url()).pathname);
      if (m) served[m[1] as string] = r.headers()['content-type'] ?? '';
    });

    await page.goto(pad.url);
    await signIn(page);
    await page.getByTestId('staff-close').click();

    // 1. Greeting with the window number (12 → 十 二), then "please rate", played to the end.
    const first = await startEvaluation(pad, 1);
    await expect(page.getByTestId('screen-rating')).toBeVisible();
    await expect
      .poll(() => played(page), { timeout: 30_000 })
      .toEqual(['zh-CN/greeting', 'zh-CN/num-10', 'zh-CN/digit-2', 'zh-CN/window', 'zh-CN/rate']);

    // 2. A 差评: the star word, then the reasons prompt.
    await page.getByTestId('star-2').click();
    await expect(page.getByTestId('screen-reasons')).toBeVisible();
    // Where the citizen writes, the pad asks for no ID or phone numbers (decision 129).
    await expect(page.getByTestId('comment-privacy')).toHaveText(/请勿填写身份证号、手机号/);
    await expect.poll(() => played(page), { timeout: 30_000 }).toContain('zh-CN/reasons');
    expect((await played(page)).slice(-2)).toEqual(['zh-CN/star-2', 'zh-CN/reasons']);

    // 3. The citizen switches to English: the request again, in English.
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('app')).toHaveAttribute('data-lang', 'en');
    await expect.poll(() => played(page), { timeout: 20_000 }).toContain('en/reasons');

    // 4. 15 s before the reasons time runs out: the spoken reminder and the urgent banner.
    await expect(page.getByTestId('reasons-hurry')).toBeVisible({ timeout: 40_000 });
    await expect.poll(() => played(page), { timeout: 20_000 }).toContain('en/reasons-reminder');

    // 5. A one-tap phrase answers; thanks (the hall's own file), and the pad returns to zh-CN.
    await page.getByTestId('phrase-0').click();
    await page.getByTestId('reasons-submit').click();
    await expect(page.getByTestId('screen-thanks')).toBeVisible();
    await expect.poll(() => played(page), { timeout: 20_000 }).toContain('en/thanks');
    expect(served['en/thanks']).toBe('audio/wav');
    expect(served['zh-CN/rate']).toBe('audio/ogg');
    expect(record(pad.dataDir, first)).toMatchObject({ status: 'rated', satisfaction: 2 });
    expect(JSON.parse(record(pad.dataDir, first)?.body ?? '{}')).toMatchObject({
      writingEvaluation: 'Waited too long',
    });
    await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('app')).toHaveAttribute('data-lang', 'zh-CN');

    // 6. Nobody rates: the timeout prompt.
    await startEvaluation(pad, 2);
    await expect(page.getByTestId('screen-unrated')).toBeVisible({ timeout: 60_000 });
    await expect.poll(() => played(page), { timeout: 20_000 }).toContain('zh-CN/timeout');

    // 7. Staff pause the window: "this window is paused".
    await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });
    await unlockStaffPanel(page);
    await page.getByTestId('window-pause').click();
    await page.getByTestId('staff-close').click();
    await expect(page.getByTestId('paused-banner')).toBeVisible();
    await expect.poll(() => played(page), { timeout: 20_000 }).toContain('zh-CN/paused');

    const errors = (await voiceLog(page)).filter((e) => e.event === 'error');
    expect(errors).toEqual([]);
  } finally {
    await pad.stop();
  }
});

test('touch sequences: ghost, palm and two-finger touches do not rate, a double fire rates once', async ({
  page,
  pad,
}) => {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('staff-close').click();
  const cdp = await page.context().newCDPSession(page);

  const id = await startEvaluation(pad, 3);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  const five = await centre(page, 'star-5');
  const four = await centre(page, 'star-4');
  const two = await centre(page, 'star-2');

  const guardLog = () =>
    page.evaluate(() => [
      ...((globalThis as unknown as { __hcpTouchGuard?: { recent: string[] } }).__hcpTouchGuard?.recent ??
        []),
    ]);
  const before = (await guardLog()).length;
  await touch(cdp, [five], 8); // a ghost: an 8 ms contact
  await touch(cdp, [{ ...four, radiusX: 45, radiusY: 40 }], 120); // a palm
  await touch(cdp, [five, { x: two.x, y: two.y }], 100); // two contacts at once
  await page.waitForTimeout(800);
  expect((await guardLog()).slice(before)).toEqual(['ghost', 'palm', 'palm', 'palm']);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  expect(record(pad.dataDir, id)).toBeUndefined();

  // A resistive double fire: two taps 60 ms apart on the same spot; the second lands on the
  // reasons screen that the first opened and must not toggle anything there.
  // Stamped as the panel would: the second contact 140 ms after the first began, however late
  // a loaded test machine delivers it.
  const fireS = Date.now() / 1000;
  await touch(cdp, [two], 80, fireS);
  await touch(cdp, [two], 80, fireS + 0.14);
  await expect(page.getByTestId('screen-reasons')).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page.locator('[aria-pressed="true"]:not(.lang-btn)')).toHaveCount(0);
  await shot(page, 'touch-after-double-fire');
  const verdicts = (await guardLog()).slice(before);
  expect(verdicts).toEqual(['ghost', 'palm', 'palm', 'palm', 'tap', 'repeat']);

  // A deliberate tap after the lock-out counts.
  await page.waitForTimeout(500);
  await touch(cdp, [await centre(page, 'phrase-1')], 90);
  await expect(page.getByTestId('phrase-1')).toHaveAttribute('aria-pressed', 'true');
  await touch(cdp, [await centre(page, 'reasons-submit')], 90);
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  expect(record(pad.dataDir, id)).toMatchObject({ status: 'rated', satisfaction: 2 });
});

test('first input wins: a board key before a touch rates with the key, and the screen shows it', async ({
  page,
  pad,
}) => {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('staff-close').click();
  const cdp = await page.context().newCDPSession(page);
  const id = await startEvaluation(pad, 4);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  // The first rating screen lays the thanks screen out unseen beneath it (Done.tsx ThanksPrewarm);
  // the touch below lands on the star all the same.
  await expect(page.locator('.prewarm .thanks')).toHaveCount(1);
  await expect(page.locator('.prewarm .thanks')).toBeHidden();
  await expect(page.getByTestId('screen-thanks')).toHaveCount(0);
  const one = await centre(page, 'star-1');
  // The simulated board's key 4 (the browser shell maps keyboard 4 to it), then a touch on star 1.
  await page.keyboard.press('4');
  await touch(cdp, [one], 80);
  // The key's 4 stars close the evaluation (a board press of 3–5 stars needs no further step);
  // the thanks screen echoes the key's star, and the touch that came second changed nothing.
  await expect(page.getByTestId('screen-thanks')).toBeVisible();
  await expect(page.locator('.thanks')).toHaveCount(1);
  await expect(page.getByTestId('thanks-chosen').getByRole('img')).toHaveAttribute('aria-label', '4 星');
  await shot(page, 'first-input-key-wins');
  expect(record(pad.dataDir, id)).toMatchObject({ status: 'rated', satisfaction: 4 });
  await expect(page.getByTestId('thanks-chosen')).toContainText('满意');
});

test('one tap switches the rating screens to English or traditional Chinese for this evaluation only', async ({
  page,
  pad,
}) => {
  await page.goto(pad.url);
  await signIn(page);
  await page.getByTestId('staff-close').click();
  await startEvaluation(pad, 5);
  await expect(page.getByTestId('screen-rating')).toBeVisible();
  await page.getByTestId('lang-en').click();
  await expect(page.getByRole('heading', { name: 'Please rate the service you received' })).toBeVisible();
  await expect(page.getByTestId('star-5')).toContainText('Very satisfied');
  await expect(page.getByTestId('star-5')).not.toContainText('非常满意');
  await page.getByTestId('lang-zh-TW').click();
  await expect(page.getByTestId('star-5')).toContainText('非常滿意');
  await page.getByTestId('star-5').click();
  await expect(page.getByTestId('screen-reasons')).toContainText('感謝您的好評');
  await page.getByTestId('reasons-skip').click();
  await expect(page.getByTestId('screen-thanks')).toContainText('感謝您的評價');
  await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('app')).toHaveAttribute('data-lang', 'zh-CN');
  await startEvaluation(pad, 6);
  await expect(page.getByTestId('star-5')).toContainText('非常满意');
});

test('left alone the pad shows the attract screen, dimmed outside service hours; an evaluation wakes it at once', async ({
  page,
}) => {
  // Service hours that exclude now: one minute, twelve hours away (CST).
  const cst = new Date(Date.now() + 8 * 3600_000 + 12 * 3600_000);
  const hm = (d: Date) =>
    `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const span = `${hm(cst)}-${hm(new Date(cst.getTime() + 60_000))}`;
  const pad = await startPad({
    HCP__citizen__attract__afterS: '3',
    HCP__citizen__attract__serviceHours: span,
    HCP__citizen__attract__scanUrl: 'https://hcp.example.gov.cn/rate?hall=370900',
  });
  try {
    await page.goto(pad.url);
    await signIn(page);
    await page.getByTestId('staff-close').click();
    await expect(page.getByTestId('screen-attract')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('screen-attract')).toHaveAttribute('data-dim', 'true');
    await expect(page.getByTestId('attract-qr')).toBeVisible();
    await shot(page, 'attract-dimmed');
    const t0 = Date.now();
    await startEvaluation(pad, 7);
    await expect(page.getByTestId('screen-rating')).toBeVisible({ timeout: 3_000 });
    console.log(`attract → rating screen ${Date.now() - t0} ms after the start`);
  } finally {
    await pad.stop();
  }
});
