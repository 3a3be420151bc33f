import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ITEM, SHOTS_DIR, expect, signIn, startPad, test, type Pad, unlockStaffPanel } from './fixtures.js';

/**
 * Accessibility, measured: axe-core on every citizen and staff screen in the three display modes,
 * touch targets of at least 9 mm, and layouts that reflow without clipping or overlap. Also saves
 * every citizen screen in every mode and both languages (docs/ux.md shows a curated set).
 *
 * The pad's screen: 10.1 inches, 1280 × 800 → 149 px per inch, so 9 mm = 53 px.
 */
const PAD_DPI = Math.hypot(1280, 800) / 10.1;
const MIN_TARGET_PX = Math.ceil((9 / 25.4) * PAD_DPI);
const MODES = ['normal', 'large', 'contrast'] as const;
type Mode = (typeof MODES)[number];

interface Row {
  screen: string;
  mode: Mode;
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
  smallTargets: string[];
  layout: string[];
  rules: string[];
}
const rows: Row[] = [];

test.describe.configure({ mode: 'serial' });
test.use({ hasTouch: true });

test.afterAll(() => {
  const dir = join(import.meta.dirname, '../../test-results');
  mkdirSync(dir, { recursive: true });
  const lines = [
    `axe-core ${'4.x'} · WCAG 2.x A/AA rules · targets ≥ ${MIN_TARGET_PX} px (9 mm at ${PAD_DPI.toFixed(0)} dpi)`,
    '',
    '| screen | mode | critical | serious | moderate | minor | targets < 9 mm | layout problems | rules |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.screen} | ${r.mode} | ${r.critical} | ${r.serious} | ${r.moderate} | ${r.minor} | ${r.smallTargets.length} | ${r.layout.length} | ${r.rules.join(' ') || '—'} |`,
    ),
  ];
  writeFileSync(join(dir, 'axe-table.md'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'axe-table.json'), JSON.stringify(rows, null, 2));
  console.log(lines.join('\n'));
});

/** Targets and layout, measured in the page (layout-probe.js): small buttons, overflow, overlaps, clipping. */
const PROBE = readFileSync(join(import.meta.dirname, 'layout-probe.js'), 'utf8')
  .trim()
  .replace(/;$/, '');
async function measureLayout(page: Page, citizen: boolean) {
  return (await page.evaluate(`(${PROBE})(${MIN_TARGET_PX}, ${citizen})`)) as {
    smallTargets: string[];
    layout: string[];
  };
}

async function audit(page: Page, screen: string, mode: Mode, citizen = true) {
  // Let transitions and the countdown bar settle; the urgent pulse is an animation axe may sample.
  await page.waitForTimeout(300);
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const count = (impact: string) => result.violations.filter((v) => v.impact === impact).length;
  const { smallTargets, layout } = await measureLayout(page, citizen);
  rows.push({
    screen,
    mode,
    critical: count('critical'),
    serious: count('serious'),
    moderate: count('moderate'),
    minor: count('minor'),
    smallTargets,
    layout: citizen ? layout : [],
    rules: result.violations.map((v) => `${v.id}(${v.impact ?? '?'})`),
  });
  for (const t of [...smallTargets, ...(citizen ? layout : [])])
    console.log(`layout ${screen}/${mode}: ${t}`);
  // Where each violation is, so a failing run says what to fix.
  for (const v of result.violations)
    for (const n of v.nodes.slice(0, 5))
      console.log(
        `axe ${screen}/${mode}: ${v.id} at ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1] ?? ''}`,
      );
}

async function uxShot(page: Page, screen: string, mode: Mode, lang: string) {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `ux-${screen}-${mode}-${lang}.png`) });
}

async function setMode(page: Page, mode: Mode) {
  if (mode === 'large') await page.getByTestId('a11y-large').click();
  if (mode === 'contrast') await page.getByTestId('a11y-contrast').click();
  await expect(page.getByTestId('app')).toHaveClass(mode === 'normal' ? /^app$/ : new RegExp(mode));
}

let seq = 0;
async function start(pad: Pad, chain = false) {
  seq += 1;
  const cases = chain
    ? [
        { projectNo: `370900-2026-0077${seq}1`, ...ITEM },
        {
          projectNo: `370900-2026-0077${seq}2`,
          taskCode: '370900-XK-0002',
          taskName: '食品经营许可',
          promiseType: 2,
        },
      ]
    : [{ projectNo: `370900-2026-0077${String(seq).padStart(2, '0')}`, ...ITEM }];
  const res = await pad.api('POST', '/v1/evaluations', chain ? { cases, groupType: 'chain' } : { cases });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

for (const mode of MODES) {
  test(`screens in ${mode} mode: axe, 9 mm targets, reflow; screenshots in zh-CN and English`, async ({
    page,
  }) => {
    test.setTimeout(300_000);
    const pad = await startPad({
      HCP__timing__rateTimeoutS: '25',
      HCP__timing__optionalExtrasTimeoutS: '40',
      HCP__timing__thanksS: '4',
      HCP__citizen__attract__afterS: '40',
      HCP__citizen__attract__scanUrl: 'https://hcp.example.gov.cn/rate?hall=370900',
      HCP__citizen__attract__info: JSON.stringify(['办公时间 周一至周五 9:00–17:00', '咨询电话 12345']),
    });
    try {
      await page.goto(pad.url);
      await expect(page.getByTestId('screen-idle')).toBeVisible();
      await setMode(page, mode);
      await audit(page, 'idle', mode);
      await uxShot(page, 'idle', mode, 'zh-CN');

      // Staff and technician screens.
      await page.getByTestId('staff-open').click();
      await expect(page.getByTestId('staff-signin')).toBeVisible();
      await audit(page, 'staff sign-in', mode, false);
      await page.getByTestId('staff-close').click();
      await signIn(page);
      await expect(page.getByTestId('staff-panel')).toBeVisible();
      await audit(page, 'staff panel', mode, false);
      await page.getByTestId('tech-open').click();
      await audit(page, 'technician unlock', mode, false);
      for (const d of '000000') await page.getByTestId(`tech-key-${d}`).click();
      await page.getByTestId('tech-unlock-submit').click();
      await expect(page.getByTestId('board-tab')).toBeVisible();
      await audit(page, 'technician board', mode, false);
      await page.getByTestId('tech-close').click();
      await expect(page.getByTestId('screen-idle')).toBeVisible();

      for (const lang of ['zh-CN', 'en'] as const) {
        const switchLang = async () => {
          if (lang === 'en') await page.getByTestId('lang-en').click();
          await expect(page.getByTestId('app')).toHaveAttribute('data-lang', lang);
        };
        const check = async (screen: string) => {
          if (lang === 'zh-CN') await audit(page, screen, mode);
          await uxShot(page, screen, mode, lang);
        };
        // rating → 差评 reasons → keyboard → thanks
        await start(pad);
        await expect(page.getByTestId('screen-rating')).toBeVisible();
        await switchLang();
        await check('rating');
        await page.getByTestId('star-2').click();
        await expect(page.getByTestId('screen-reasons')).toBeVisible();
        await page.getByTestId('phrase-0').click();
        await expect(page.getByTestId('comment-privacy')).toBeVisible(); // decision 129
        await check('reasons-bad');
        await page.getByTestId('reasons-type').click();
        await expect(page.getByTestId('osk')).toBeVisible();
        for (const k of ['A', 'B', '1']) await page.getByTestId(`osk-${k}`).click();
        await expect(page.getByTestId('osk-privacy')).toBeVisible();
        await check('keyboard');
        await page.getByTestId('osk-done').click();
        await page.getByTestId('reasons-submit').click();
        await expect(page.getByTestId('screen-thanks')).toBeVisible();
        await check('thanks');
        await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });

        // chain choice → rating 5 → optional extras
        await start(pad, true);
        await expect(page.getByTestId('screen-chain-choice')).toBeVisible();
        await switchLang();
        await check('chain-choice');
        await page.getByTestId('chain-overall').click();
        await page.getByTestId('star-5').click();
        await expect(page.getByTestId('screen-reasons')).toBeVisible();
        await check('reasons-good');
        await page.getByTestId('reasons-skip').click();
        await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });

        // nobody rates: unrated
        await start(pad);
        await expect(page.getByTestId('screen-rating')).toBeVisible();
        await switchLang();
        await expect(page.getByTestId('screen-unrated')).toBeVisible({ timeout: 40_000 });
        await check('unrated');
        await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 15_000 });
      }

      // left alone: the attract screen; paused idle
      await expect(page.getByTestId('screen-attract')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('attract-qr')).toBeVisible();
      await audit(page, 'attract', mode);
      await uxShot(page, 'attract', mode, 'zh-CN');
      // A touch anywhere wakes it (on pointerdown, so the screen is gone before any click).
      await page.mouse.click(640, 400);
      await expect(page.getByTestId('screen-idle')).toBeVisible();
      await unlockStaffPanel(page);
      await page.getByTestId('window-pause').click();
      await page.getByTestId('staff-close').click();
      await expect(page.getByTestId('paused-banner')).toBeVisible();
      await audit(page, 'idle paused', mode);
      await uxShot(page, 'idle-paused', mode, 'zh-CN');

      const mine = rows.filter((r) => r.mode === mode);
      const serious = mine
        .filter((r) => r.critical + r.serious > 0)
        .map((r) => `${r.screen}: ${r.rules.join(' ')}`);
      const small = mine.flatMap((r) => r.smallTargets.map((t) => `${r.screen}: ${t}`));
      const layout = mine.flatMap((r) => r.layout.map((t) => `${r.screen}: ${t}`));
      expect({ serious, small, layout }).toEqual({ serious: [], small: [], layout: [] });
    } finally {
      await pad.stop();
    }
  });
}
