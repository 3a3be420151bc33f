import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startShellServer } from '../../../src/host/shell-server.js';
import { putOnDuty, startTestCore } from '../../helpers/core.js';

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad;
let shell: Awaited<ReturnType<typeof startShellServer>>;

beforeEach(async () => {
  pad = await startTestCore();
  const rendererDir = join(pad.dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>pad</title>');
  shell = await startShellServer({
    rendererDir,
    port: 0,
    dispatch: pad.core.dispatch,
    subscribe: (l) => pad.core.subscribe(l),
    log: () => undefined,
  });
});
afterEach(async () => {
  await shell.close();
  await pad.stop();
});

function connect(opts: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${shell.origin.replace('http', 'ws')}/api?token=${opts.token ?? shell.token}`, {
    origin: opts.origin ?? shell.origin,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.kind === 'result') {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('browser shell transport', () => {
  it('serves the renderer with a CSP and answers commands', async () => {
    const page = await fetch(shell.origin + '/');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const ws = await connect();
    const r = await call(ws, { id: 1, method: 'getSnapshot', params: {} });
    expect(r).toMatchObject({ id: 1, ok: true, result: { screen: 'idle', windowNo: '12' } });
    ws.close();
  });

  it('refuses a wrong token and a foreign Origin', async () => {
    await expect(connect({ token: 'x'.repeat(32) })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('a malformed command gets a clear error and changes nothing', async () => {
    putOnDuty(pad.core);
    const ws = await connect();
    const notJson = await call(ws, '{nope');
    expect(notJson).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const noId = await call(ws, { method: 'getSnapshot' });
    expect((noId.error as { message: string }).message).toMatch(/id/);
    const unknown = await call(ws, { id: 2, method: 'dropTables', params: {} });
    expect(unknown).toMatchObject({ id: 2, ok: false, error: { code: 'unknown_method' } });
    const badParams = await call(ws, {
      id: 3,
      method: 'startEvaluation',
      params: { cases: [{ projectNo: 'P', taskCode: 'T', taskName: 'N', promiseType: 9 }] },
    });
    expect(badParams).toMatchObject({
      id: 3,
      ok: false,
      error: { code: 'invalid', field: 'cases.0.promiseType' },
    });
    const rateOutOfRange = await call(ws, {
      id: 4,
      method: 'rate',
      params: { evaluationId: 'E1', satisfaction: 6 },
    });
    expect(rateOutOfRange).toMatchObject({ ok: false, error: { code: 'invalid', field: 'satisfaction' } });
    const techLocked = await call(ws, { id: 5, method: 'techStatus', params: {} });
    expect(techLocked).toMatchObject({ ok: false, error: { code: 'tech_locked' } });
    const n = (pad.core.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get() as { n: number }).n;
    expect(n).toBe(0);
    ws.close();
  });

  it('pushes a snapshot event when an evaluation opens', async () => {
    putOnDuty(pad.core);
    const ws = await connect();
    const got = new Promise<Record<string, unknown>>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { kind: string; event: string; payload: Record<string, unknown> };
        if (m.kind === 'event' && m.event === 'snapshot' && m.payload.screen === 'rating') resolve(m.payload);
      }),
    );
    await pad.core.startEvaluation(
      { cases: [{ projectNo: 'P-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
      'window_api',
    );
    const snap = await got;
    expect(snap).toMatchObject({ screen: 'rating', staffPanelOpen: false });
    ws.close();
  });
});
