import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientSession } from '../../../src/api/dispatch.js';
import { BoardSimulator } from '../../../src/hardware/board/index.js';
import { KioskCore } from '../../../src/host/core.js';
import { startPrinterEmulator } from '../../emulators/printer.js';
import { PtyCable, starsBlinking, until } from '../board/harness.js';
import { api, putOnDuty, startTestCore, testCoreConfig, TOKEN } from '../../helpers/core.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const CODE = '482913';

async function pad(overrides: Record<string, unknown> = {}) {
  const p = await startTestCore(overrides);
  cleanup.push(() => p.stop());
  const session: ClientSession = { techUnlocked: false };
  const call = async (method: string, params: unknown = {}) => p.core.dispatch(method, params, session);
  const unlocked = await call('techUnlock', { code: CODE });
  expect(unlocked.ok).toBe(true);
  const configFile = join(p.dir, 'config.json');
  const auditFile = join(p.dir, 'audit.log');
  return { ...p, session, call, configFile, auditFile };
}

function ok<T>(
  r: { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } },
): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

async function get(url: string, token = TOKEN): Promise<number> {
  const res = await fetch(url + '/v1/status', { headers: { Authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

function occupiedPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, server }),
    );
  });
}

function freePort(): Promise<number> {
  return occupiedPort().then(({ port, server }) => new Promise<number>((r) => server.close(() => r(port))));
}

function auditLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('technician settings: validation', () => {
  it('a locked screen, a malformed change and a change the schema refuses all change nothing', async () => {
    const p = await pad();
    const locked = await p.core.dispatch(
      'techApplySettings',
      { timing: { rateTimeoutS: 90 } },
      { techUnlocked: false },
    );
    expect(locked).toMatchObject({ ok: false, error: { code: 'tech_locked' } });

    const malformed = await p.call('techApplySettings', { timing: { rateTimeoutS: 2 } });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid', field: 'timing.rateTimeoutS' } });
    const unknownKey = await p.call('techApplySettings', { platform: { deviceId: 'X' } });
    expect(unknownKey).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const empty = await p.call('techApplySettings', {});
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid' } });

    // Shape fine, the whole configuration not: a network printer needs its host.
    const noHost = await p.call('techApplySettings', { printer: { kind: 'tcp', port: 9100 } });
    expect(noHost).toMatchObject({ ok: false, error: { code: 'invalid_setting', field: 'printer.host' } });
    expect(!noHost.ok && noHost.error.message).toMatch(/未保存 \/ .*nothing saved/);
    // Beyond loopback without an allow-list is unsafe.
    const lan = await p.call('techApplySettings', { windowApi: { host: '0.0.0.0' } });
    expect(lan).toMatchObject({ ok: false, error: { code: 'unsafe_setting' } });
    expect(!lan.ok && lan.error.message).toContain('windowApi.allow');

    // Not an address: refused before anything is written (the server would refuse it at start).
    const badAllow = await p.call('techApplySettings', { windowApi: { allow: ['not-an-ip'] } });
    expect(badAllow).toMatchObject({
      ok: false,
      error: { code: 'invalid_setting', field: 'windowApi.allow' },
    });

    expect(existsSync(p.configFile)).toBe(false);
    expect(existsSync(p.auditFile)).toBe(false);
    expect(p.core.config.printer.kind).toBe('none');
    expect(p.core.config.windowApi.host).toBe('127.0.0.1');
    expect(await get(p.core.windowApiUrl)).toBe(200);
  });

  it('a config file that cannot be written or read: one sentence naming the file, nothing changes', async () => {
    const p = await pad();
    // A file where its folder should be: the write fails (EEXIST/ENOTDIR) even for root.
    const blocker = join(p.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const core = await KioskCore.start(testCoreConfig(join(p.dir, 'second'), { 'windowApi.port': 0 }), {
      configFile: join(blocker, 'config.json'),
    });
    cleanup.push(() => core.stop());
    const session = { techUnlocked: false };
    expect((await core.dispatch('techUnlock', { code: CODE }, session)).ok).toBe(true);
    const r = await core.dispatch('techApplySettings', { timing: { thanksS: 4 } }, session);
    expect(r).toMatchObject({ ok: false, error: { code: 'config_unwritable' } });
    expect(!r.ok && r.error.message).toContain(`${blocker}/config.json cannot be written (`);
    expect(!r.ok && r.error.message).toMatch(
      /\((ENOTDIR|EEXIST)\): give the pad's service user write access/,
    );
    expect(core.config.timing.thanksS).toBe(3);

    writeFileSync(p.configFile, '{ "timing": ');
    const torn = await p.call('techApplySettings', { timing: { thanksS: 4 } });
    expect(torn).toMatchObject({ ok: false, error: { code: 'config_unreadable' } });
    expect(readFileSync(p.configFile, 'utf8')).toBe('{ "timing": ');
    // Token rotation on the torn file: refused before the token file changes, so the token the
    // business system knows is still the one the pad reads at its next start.
    const tokenFile = join(p.dir, 'window-api.token');
    const tokenBefore = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : null;
    expect((await p.call('techRotateToken', {})).ok).toBe(false);
    expect(existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : null).toBe(tokenBefore);
  });

  it('reads the settings with secrets only as set / not set', async () => {
    const p = await pad();
    const s = ok<Record<string, unknown>>(await p.call('techSettings'));
    const text = JSON.stringify(s);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(CODE);
    expect(text).not.toContain(p.core.config.platform.deviceSecret);
    expect(s).toMatchObject({
      configFile: p.configFile,
      board: { kind: 'none' },
      windowApi: { host: '127.0.0.1', token: 'set', url: p.core.windowApiUrl },
      technicianCode: 'set',
      deviceSecret: 'set',
      timing: { rateTimeoutS: 60 },
    });
  });
});

describe('technician settings: the write and its audit', () => {
  it('timing: written atomically (0600), audited with who and key, in force for the next evaluation, kept over a restart', async () => {
    const p = await pad();
    putOnDuty(p.core);
    const r = ok<{ changed: string[]; restarted: string[] }>(
      await p.call('techApplySettings', { timing: { rateTimeoutS: 90, thanksS: 5 } }),
    );
    expect(r.changed.sort()).toEqual(['timing.rateTimeoutS', 'timing.thanksS']);
    expect(r.restarted).toEqual(['timers']);
    expect(statSync(p.configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(p.configFile, 'utf8'))).toEqual({
      timing: { rateTimeoutS: 90, thanksS: 5 },
    });
    const audit = auditLines(p.auditFile);
    expect(audit.map((a) => [a.who, a.key, a.from, a.to])).toEqual([
      ['technician', 'timing.rateTimeoutS', undefined, 90],
      ['technician', 'timing.thanksS', undefined, 5],
    ]);
    expect(typeof audit[0]?.t).toBe('string');
    // The next evaluation runs on the new timing, without a restart of the pad.
    const before = p.core.clock.now();
    const { evaluationId } = await p.core.startEvaluation(
      { cases: [{ projectNo: 'TIM-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
      'window_api',
    );
    const deadline = p.core.evaluations.get(evaluationId)?.evaluation.step_deadline_ms ?? 0;
    expect(deadline - before).toBeGreaterThanOrEqual(89_000);
    expect(deadline - before).toBeLessThanOrEqual(91_000);
    // A restart reads the pad's own config.json.
    const config = testCoreConfig(p.dir);
    expect(config.timing.rateTimeoutS).toBe(90);
  });

  it('token rotation and a new technician code: the audit names the keys, never a value', async () => {
    // A fixed port: the server closes and listens again on the same address with the new token.
    const p = await pad({ 'windowApi.port': await freePort() });
    const oldUrl = p.core.windowApiUrl;
    const rotated = ok<{ token: string; restarted: string[] }>(await p.call('techRotateToken'));
    expect(rotated.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(rotated.restarted).toEqual(['windowApi']);
    expect(await get(p.core.windowApiUrl, TOKEN)).toBe(401);
    expect(await get(p.core.windowApiUrl, rotated.token)).toBe(200);
    expect(readFileSync(join(p.dir, 'window-api.token'), 'utf8').trim()).toBe(rotated.token);
    expect(statSync(join(p.dir, 'window-api.token')).mode & 0o777).toBe(0o600);
    expect(p.core.windowApiUrl).toBe(oldUrl);

    const wrong = await p.call('techChangeCode', { current: '111111', next: '735194' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'wrong_code', field: 'current' } });
    const weak = await p.call('techChangeCode', { current: CODE, next: '123456' });
    expect(weak).toMatchObject({ ok: false, error: { code: 'weak_code' } });
    ok(await p.call('techChangeCode', { current: CODE, next: '735194' }));
    // The new code opens the technician screen; the old one no longer does.
    const fresh = { techUnlocked: false };
    expect((await p.core.dispatch('techUnlock', { code: CODE }, fresh)).ok).toBe(false);
    expect((await p.core.dispatch('techUnlock', { code: '735194' }, { techUnlocked: false })).ok).toBe(true);

    const audit = readFileSync(p.auditFile, 'utf8');
    expect(audit).not.toContain(rotated.token);
    expect(audit).not.toContain('735194');
    expect(audit).not.toContain(CODE);
    expect(auditLines(p.auditFile).map((a) => a.key)).toEqual(['windowApi.token', 'technician.code']);
    expect(JSON.parse(readFileSync(p.configFile, 'utf8'))).toEqual({ technician: { code: '735194' } });
  });
});

describe('technician settings: in-place restarts', () => {
  it('window API: listens on the new port with the same token; the old port is closed; the open evaluation goes on', async () => {
    const p = await pad();
    putOnDuty(p.core);
    const oldUrl = p.core.windowApiUrl;
    const started = await api(p.core, 'POST', '/v1/evaluations', {
      cases: [{ projectNo: 'API-MOVE-1', taskCode: 'T', taskName: '事项', promiseType: 1 }],
    });
    expect(started.status).toBe(201);
    const id = String(started.body.evaluationId);
    const port = await freePort();
    const r = ok<{ restarted: string[] }>(await p.call('techApplySettings', { windowApi: { port } }));
    expect(r.restarted).toEqual(['windowApi']);
    expect(p.core.windowApiUrl).toBe(`http://127.0.0.1:${port}`);
    expect(await get(p.core.windowApiUrl)).toBe(200);
    await expect(get(oldUrl)).rejects.toThrow();
    // The business system finds its evaluation at the new address, still waiting; the citizen rates it.
    expect((await api(p.core, 'GET', `/v1/evaluations/${id}`)).body).toMatchObject({ state: 'waiting' });
    const rated = ok<{ state: string }>(
      await p.core.dispatch('rate', { evaluationId: id, satisfaction: 5 }, { techUnlocked: false }),
    );
    // taken: rated, or on to the optional extras step of a good rating
    expect(['rated', 'reasons']).toContain(rated.state);
  });

  it('window API: the same port on all addresses (a wildcard overlaps the old address): the old server lets go first', async () => {
    const port = await freePort();
    const p = await pad({ 'windowApi.port': port });
    const r = await p.call('techApplySettings', {
      windowApi: { host: '0.0.0.0', allow: ['127.0.0.1'] },
    });
    expect(r.ok ? r.result : r.error).toMatchObject({ restarted: ['windowApi'] });
    // On all addresses the API speaks TLS (decision on LAN exposure): its address says so.
    expect(p.core.windowApiUrl).toMatch(new RegExp(`^https://.*:${port}$`));
  });

  it('window API: a port in use rolls back to the old file and the old server, in one clear sentence', async () => {
    const port = await freePort();
    const p = await pad({ 'windowApi.port': port });
    const taken = await occupiedPort();
    cleanup.push(() => new Promise<void>((r) => taken.server.close(() => r())));
    // No file before: the rollback leaves none.
    const first = await p.call('techApplySettings', { windowApi: { port: taken.port } });
    expect(first).toMatchObject({ ok: false, error: { code: 'restart_failed' } });
    expect(existsSync(p.configFile)).toBe(false);
    // A file exists before: the rollback must put back exactly its bytes.
    ok(await p.call('techApplySettings', { timing: { thanksS: 4 } }));
    const fileBefore = readFileSync(p.configFile, 'utf8');
    const r = await p.call('techApplySettings', { windowApi: { port: taken.port }, timing: { thanksS: 6 } });
    expect(r).toMatchObject({ ok: false, error: { code: 'restart_failed', field: 'windowApi.port' } });
    const message = !r.ok ? r.error.message : '';
    expect(message).toContain(`端口 ${taken.port} 已被占用`);
    expect(message).toContain('windowApi.port');
    expect(message).toContain('the previous settings are back in force');
    expect(message).not.toMatch(/\n\s+at /);
    expect(readFileSync(p.configFile, 'utf8')).toBe(fileBefore);
    expect(p.core.config.windowApi.port).toBe(port);
    expect(p.core.config.timing.thanksS).toBe(4);
    expect(p.core.windowApiUrl).toBe(`http://127.0.0.1:${port}`);
    expect(await get(p.core.windowApiUrl)).toBe(200);
    const notes = auditLines(p.auditFile).filter((a) => a.note === 'rolled back');
    expect(notes.map((a) => a.key).sort()).toEqual(['timing.thanksS', 'windowApi.port', 'windowApi.port']);
  });

  it(
    'printer: from the virtual printer to a TCP printer and its paper width, in place',
    { timeout: 30_000 },
    async () => {
      const emu = await startPrinterEmulator();
      cleanup.push(() => emu.close());
      const p = await pad({ 'printer.kind': 'virtual' });
      const before = p.core.hardware.printer;
      const r = ok<{ restarted: string[] }>(
        await p.call('techApplySettings', {
          printer: { kind: 'tcp', host: '127.0.0.1', port: emu.port, paperWidthMm: 58 },
        }),
      );
      expect(r.restarted).toEqual(['printer']);
      expect((r as unknown as { devices: unknown }).devices).toEqual({ printer: 'ok' });
      expect(p.core.hardware.printer).not.toBe(before);
      await until(() => p.core.hardware.printerState() === 'ok', 10_000, 'tcp printer ok');
      ok(await p.call('printerTestPage'));
      await until(() => emu.printed().length > 100, 10_000, 'test page on the tcp printer');
      expect(JSON.parse(readFileSync(p.configFile, 'utf8')).printer).toEqual({
        kind: 'tcp',
        host: '127.0.0.1',
        port: emu.port,
        paperWidthMm: 58,
        qr: 'native',
        autoPrintUnrated: false,
      });
    },
  );
});

describe('technician settings: an open evaluation survives a board change', () => {
  it('simulated board switched on while a citizen is asked: a key press still rates it', async () => {
    const p = await pad();
    putOnDuty(p.core);
    const { evaluationId } = await p.core.startEvaluation(
      { cases: [{ projectNo: 'OPEN-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
      'window_api',
    );
    const r = ok<{ restarted: string[]; devices: Record<string, string> }>(
      await p.call('techApplySettings', { board: { kind: 'simulated' } }),
    );
    expect(r.restarted).toEqual(['board']);
    expect(r.devices).toEqual({ board: 'ok' });
    expect(p.core.evaluations.openEvaluation()?.evaluation.id).toBe(evaluationId);
    await until(() => p.core.hardware.boardState() === 'ok', 10_000, 'simulated board ok');
    // The new board shows the prompt of the evaluation that was open before it.
    await until(() => starsBlinking(p.core.hardware.simulator), 5000, 'star LEDs blinking on the new board');
    ok(await p.call('simulatePress', { key: 5 }));
    await until(() => p.core.evaluations.get(evaluationId)?.evaluation.state === 'rated', 5000, 'rated');
  });

  it(
    'serial board moved to another port (socat ptys): the open evaluation is rated from the new port',
    { timeout: 60_000 },
    async () => {
      const first = new PtyCable();
      await first.plug();
      cleanup.push(() => first.dispose());
      const second = new PtyCable();
      await second.plug();
      cleanup.push(() => second.dispose());
      const p = await pad({ board: { kind: 'serial', path: first.host, baudRate: 115200 } });
      putOnDuty(p.core);
      const sim = new BoardSimulator({ serial: 'PTYMOVE1' });
      await sim.connectSerial(first.board);
      cleanup.push(() => sim.stop());
      await until(() => p.core.hardware.boardState() === 'ok', 10_000, 'board ok on the first port');
      const { evaluationId } = await p.core.startEvaluation(
        { cases: [{ projectNo: 'MOVE-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
        'window_api',
      );
      await until(() => starsBlinking(sim), 5000, 'prompt on the first port');

      // The technician moves the board's cable to another port and tells the pad.
      await sim.stop();
      const moved = new BoardSimulator({ serial: 'PTYMOVE1' });
      await moved.connectSerial(second.board);
      cleanup.push(() => moved.stop());
      const r = ok<{ restarted: string[] }>(
        await p.call('techApplySettings', { board: { kind: 'serial', path: second.host } }),
      );
      expect(r.restarted).toEqual(['board']);
      await until(() => p.core.hardware.boardState() === 'ok', 10_000, 'board ok on the second port');
      expect(p.core.evaluations.get(evaluationId)?.evaluation.state).toBe('waiting');
      await until(() => starsBlinking(moved), 5000, 'prompt on the second port');
      moved.press(4);
      await until(() => p.core.evaluations.get(evaluationId)?.evaluation.state === 'rated', 5000, 'rated');
      expect(JSON.parse(readFileSync(p.configFile, 'utf8')).board).toEqual({
        kind: 'serial',
        path: second.host,
        baudRate: 115200,
        serialNumber: null,
      });
    },
  );
});
