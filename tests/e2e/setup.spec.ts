import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeProvisioningCode } from '../../src/api/setup-contract.js';
import { BoardSimulator } from '../../src/hardware/board/index.js';
import { parseEscPos, qrCodes, textLines } from '../../src/hardware/printer/index.js';
import { ptyPair } from '../integration/printer/pty.js';
import { ITEM, WINDOW_TOKEN, expect, shot, signIn, test } from './fixtures.js';

const root = join(import.meta.dirname, '../..');

/** Starts a program and collects its stdout; `line(re)` waits for a line matching re. */
function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const line = async (re: RegExp, ms = 30_000): Promise<RegExpExecArray> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${re} in:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, line };
}

const stop = async (c: ChildProcess) => {
  if (c.exitCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (c.exitCode === null) c.kill('SIGKILL');
};

test('a new pad: setup screen → bad secret refused → board by a key press → printer test page → saved → first key-press rating reaches the platform', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'hcp-setup-e2e-'));
  const secret = randomBytes(32).toString('base64');
  const simDb = join(dir, 'sim.db');
  // The evaluator board on one end of a null-modem cable (socat pty pair); a second cable with
  // nothing on it stands for a port that holds no board.
  const boardPort = join(dir, 'board-host');
  const otherPort = join(dir, 'other-host');
  const cables = [
    await ptyPair(boardPort, join(dir, 'board-dev')),
    await ptyPair(otherPort, join(dir, 'other-dev')),
  ];
  const board = new BoardSimulator({ serial: 'EVB00012', firmware: 'evb-2.1.0' });
  await board.connectSerial(join(dir, 'board-dev'));
  const sim = run(
    [
      join(root, 'dist/platform-sim/main.mjs'),
      '--port',
      '0',
      '--db',
      simDb,
      '--device',
      `PAD-NEW-12:${secret}:12`,
    ],
    {},
  );
  const configFile = join(dir, 'config.json');
  const dataDir = join(dir, 'data');
  const pad = run([join(root, 'dist/core/cli.mjs'), 'serve'], {
    HCP_QUIET: '1',
    HCP_CONFIG: configFile, // named but not there yet: a packaged pad's first start
    HCP_SETUP_PORTS: `${otherPort}:${boardPort}`,
    HCP_SETUP_BOARD_TIMEOUT_S: '8', // 60 s on a pad
    HCP__dataDir: dataDir,
    HCP__windowApi__port: '0',
    HCP__windowApi__token: WINDOW_TOKEN,
    HCP__platform__batchIntervalMs: '500',
  });
  try {
    const baseUrl = (await sim.line(/platform-sim listening (\S+)/))[1] as string;
    const setupUrl = (await pad.line(/hcp-kiosk setup (\S+)/))[1] as string;

    await page.goto(setupUrl);
    await expect(page.getByTestId('screen-setup')).toBeVisible();
    await shot(page, 'setup-01-empty');

    // A code with the wrong secret, as a scanner in keyboard mode types it (then Enter).
    const wrong = makeProvisioningCode({
      baseUrl,
      deviceId: 'PAD-NEW-12',
      deviceSecret: randomBytes(32).toString('base64'),
      windowNo: '12',
      signature: 'hmac-sha256',
    });
    await page.getByTestId('setup-code').fill(wrong);
    await page.getByTestId('setup-code').press('Enter');
    await expect(page.getByTestId('setup-url')).toHaveValue(baseUrl);
    await expect(page.getByTestId('setup-window')).toHaveValue('12');
    await page.getByTestId('setup-tech').fill('482913');
    await page.getByTestId('setup-tech2').fill('482913');
    await page.getByTestId('setup-test').click();
    const refused = page.getByTestId('setup-answer');
    await expect(refused).toContainText('平台拒绝');
    await expect(refused).toContainText('HTTP 401');
    await expect(refused).toContainText('bad_signature');
    await shot(page, 'setup-02-bad-secret-refused');

    // The board: every candidate port opened, the technician asked to press a key.
    await page.getByTestId('setup-board-find').click();
    await expect(page.getByTestId('setup-board-prompt')).toContainText('请按评价器上任意一个键');
    const ports = page.getByTestId('setup-board-port');
    await expect(ports.filter({ hasText: boardPort })).toHaveAttribute('data-state', 'board');
    await expect(ports.filter({ hasText: otherPort })).toHaveAttribute('data-state', 'not_board');
    await page.getByTestId('setup-board').scrollIntoViewIfNeeded();
    await shot(page, 'setup-03-board-press-a-key');
    // Nobody presses: the search ends with one sentence, and a retry.
    await expect(page.getByTestId('setup-board-timeout')).toContainText('8 秒内没有收到按键', {
      timeout: 15_000,
    });
    await expect(page.getByTestId('setup-board-timeout')).toContainText('No key press within 8 s');
    await expect(page.getByTestId('setup-board-find')).toContainText('重试');
    await shot(page, 'setup-04-board-no-key-timeout');
    await page.getByTestId('setup-board-find').click();
    await expect(ports.filter({ hasText: boardPort })).toHaveAttribute('data-state', 'board');
    await page.waitForTimeout(700); // a press, not one the board held from before
    board.press(2);
    const found = page.getByTestId('setup-board-found');
    await expect(found).toContainText(boardPort);
    await expect(found).toContainText('EVB00012');
    await expect(found).toContainText('evb-2.1.0');
    await shot(page, 'setup-05-board-found');

    // The printer: the virtual one, 58 mm paper, a test page, and the technician's "it came out".
    await expect(page.getByTestId('setup-printer-option-0')).toHaveAttribute('data-kind', 'virtual');
    await page.getByTestId('setup-printer-option-0').click();
    await page.getByTestId('setup-paper-58').click();
    await page.getByTestId('setup-printer-test').click();
    await expect(page.getByTestId('setup-printer-preview')).toBeVisible();
    await page.getByTestId('setup-printer').scrollIntoViewIfNeeded();
    await shot(page, 'setup-06-printer-test-page');
    await page.getByTestId('setup-printer-ok').click();
    await expect(page.getByTestId('setup-printer-chosen')).toContainText('58 mm');
    const receipts = join(dataDir, 'receipts');
    const pageFile = readdirSync(receipts).find((n) => n.endsWith('.bin'));
    const testPage = parseEscPos(readFileSync(join(receipts, pageFile!)));
    expect(testPage.errors).toEqual([]);
    const printed = textLines(testPage).join('\n');
    expect(printed).toContain('打印测试页');
    expect(printed).toContain('Printer test page');
    expect(printed).toContain('设备号 Device: PAD-NEW-12');
    expect(printed).toContain('窗口 Window: 12');
    expect(qrCodes(testPage)).toHaveLength(1);

    // Save with the wrong secret: refused with the platform's answer, nothing written.
    await page.getByTestId('setup-save').click();
    await expect(page.getByTestId('setup-answer')).toContainText('bad_signature');
    expect(existsSync(configFile)).toBe(false);

    // The right secret, typed: the test call first, then save.
    await page.getByTestId('setup-secret').fill(secret);
    await page.getByTestId('setup-test').click();
    await expect(page.getByTestId('setup-answer')).toContainText('平台已确认此设备');
    await shot(page, 'setup-07-platform-accepted');
    await page.getByTestId('setup-save').click();

    // The pad starts with its new configuration and the screen moves on to it.
    await expect(page.getByTestId('screen-idle')).toBeVisible({ timeout: 30_000 });
    await shot(page, 'setup-08-pad-started');
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      platform: { deviceId: string };
      board: unknown;
      printer: unknown;
    };
    expect(saved.platform.deviceId).toBe('PAD-NEW-12');
    expect(saved.board).toEqual({
      kind: 'serial',
      path: boardPort,
      serialNumber: 'EVB00012',
      baudRate: 115200,
    });
    expect(saved.printer).toEqual({ kind: 'virtual', paperWidthMm: 58, qr: 'native' });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    const audit = readFileSync(join(dir, 'data/audit.log'), 'utf8');
    expect(audit).toContain('"who":"setup","key":"platform.deviceSecret"');
    expect(audit).toContain('"key":"board.path"');
    expect(audit).not.toContain(secret);

    // The first rating: staff sign in, the window starts an evaluation, the citizen presses key 4
    // on the board the technician found.
    await signIn(page);
    await page.getByTestId('staff-close').click();
    const windowApi = (await pad.line(/hcp-kiosk window-api (\S+)/))[1] as string;
    // The pad runs on the board and printer the technician checked.
    const status = (await (
      await fetch(`${windowApi}/v1/status`, { headers: { Authorization: `Bearer ${WINDOW_TOKEN}` } })
    ).json()) as { board: string; printer: string };
    expect(status).toMatchObject({ board: 'ok', printer: 'ok' });
    const res = await fetch(`${windowApi}/v1/evaluations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${WINDOW_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cases: [{ projectNo: '370900-2026-009001', ...ITEM }] }),
    });
    expect(res.status).toBe(201);
    const { evaluationId } = (await res.json()) as { evaluationId: string };
    await expect(page.getByTestId('screen-rating')).toBeVisible();
    board.press(4);
    await expect(page.getByTestId('screen-thanks')).toBeVisible();
    await shot(page, 'setup-09-first-rating-thanks');

    // …and it reached the platform under the new identity.
    await expect
      .poll(
        () => {
          const db = new Database(simDb, { readonly: true });
          try {
            return db
              .prepare(
                'SELECT device_id AS deviceId, status, satisfaction FROM evaluations WHERE evaluation_id = ?',
              )
              .get(evaluationId);
          } finally {
            db.close();
          }
        },
        { timeout: 30_000 },
      )
      .toEqual({ deviceId: 'PAD-NEW-12', status: 'rated', satisfaction: 4 });
  } finally {
    await stop(pad.child);
    await stop(sim.child);
    await board.stop();
    await Promise.all(cables.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});
