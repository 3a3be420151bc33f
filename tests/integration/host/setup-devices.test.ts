/**
 * The setup server's board search and printer test page over real parts: socat pty pairs, the
 * board simulator on the far end of one, a device that never answers on the other, HTTP on
 * 127.0.0.1 and the virtual printer's files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetupBoardSearch, SetupPrintResult } from '../../../src/api/setup-contract.js';
import { BoardSimulator } from '../../../src/hardware/board/index.js';
import { parseEscPos, qrCodes, textLines } from '../../../src/hardware/printer/index.js';
import { SetupDevices } from '../../../src/host/setup-devices.js';
import { startSetupServer } from '../../../src/host/setup-server.js';
import { ptyPair } from '../printer/pty.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-setup-devices-'));
const boardHost = join(dir, 'boardA');
const silentHost = join(dir, 'otherA');
const sim = new BoardSimulator({ serial: 'EVB00042', firmware: 'evb-2.1.0' });
let cables: Array<{ close(): Promise<void> }> = [];
let server: Awaited<ReturnType<typeof startSetupServer>>;
let base = '';
let token = '';

async function post<T>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function pollSearch(until: (s: SetupBoardSearch) => boolean, ms = 15_000): Promise<SetupBoardSearch> {
  const end = Date.now() + ms;
  for (;;) {
    const s = (await post<SetupBoardSearch>('/setup/api/board/status')).body;
    if (until(s)) return s;
    if (Date.now() > end) throw new Error(`search never got there: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  cables = [await ptyPair(boardHost, join(dir, 'boardB')), await ptyPair(silentHost, join(dir, 'otherB'))];
  await sim.connectSerial(join(dir, 'boardB'));
  server = await startSetupServer({
    rendererDir: join(dir, 'renderer'),
    configFile: join(dir, 'config.json'),
    auditFile: join(dir, 'audit.log'),
    devices: new SetupDevices({
      dataDir: join(dir, 'data'),
      fontDir: join(dir, 'fonts'),
      log: () => undefined,
      extraPorts: [silentHost, boardHost],
      // Only this test's cables: the machine's own ttyS* are no business of this test.
      listPorts: (extra) => Promise.resolve([...extra]),
    }),
    onSaved: () => Promise.resolve('http://127.0.0.1/next'),
  });
  const u = new URL(server.url);
  base = u.origin;
  token = u.hash.replace('#token=', '');
});

afterAll(async () => {
  await server.close();
  await sim.stop();
  await Promise.all(cables.map((c) => c.close()));
  rmSync(dir, { recursive: true, force: true });
});

const identity = {
  baseUrl: 'http://127.0.0.1:9/',
  deviceId: 'PAD-NEW-12',
  deviceSecret: 'x'.repeat(43) + '=',
  windowNo: '12',
  technicianCode: '482913',
};

describe('setup: the board by a key press, the printer by a test page', () => {
  it('opens both candidates, tells the board from the silent device, and takes the port whose key arrives', async () => {
    const started = await post<SetupBoardSearch>('/setup/api/board/find', { timeoutS: 20 });
    expect(started.status).toBe(200);
    expect(started.body.state).toBe('waiting');
    expect(started.body.ports.map((p) => p.path)).toEqual([silentHost, boardHost]);
    const ready = await pollSearch((s) =>
      s.ports.every((p) => p.state === 'board' || p.state === 'not_board'),
    );
    expect(ready.ports.map((p) => p.state)).toEqual(['not_board', 'board']);
    expect(ready.ports[1]?.serial).toBe('EVB00042');
    await new Promise((r) => setTimeout(r, 600)); // past the settle time: a fresh press
    sim.press(4);
    const found = await pollSearch((s) => s.state !== 'waiting');
    expect(found.state).toBe('found');
    expect(found.found).toEqual({ path: boardHost, serial: 'EVB00042', firmware: 'evb-2.1.0', key: 4 });
    // acknowledged: the pad that starts next is not handed the setup press as a rating
    expect(sim.state().pending).toEqual([]);
  });

  it('refuses to save a board no key confirmed, and a printer no test page went out on', async () => {
    const wrongBoard = await post<{ message: string }>('/setup/api/save', {
      ...identity,
      board: { kind: 'serial', path: silentHost, serialNumber: 'EVB00042' },
      printer: { kind: 'none', paperWidthMm: 80 },
    });
    expect(wrongBoard.status).toBe(400);
    expect(wrongBoard.body.message).toContain('not found by a key press');
    const unprinted = await post<{ message: string }>('/setup/api/save', {
      ...identity,
      board: { kind: 'serial', path: boardHost, serialNumber: 'EVB00042' },
      printer: { kind: 'virtual', paperWidthMm: 58 },
    });
    expect(unprinted.status).toBe(400);
    expect(unprinted.body.message).toContain('print a test page');
  });

  it('lists the virtual printer first and prints the test page with this pad on it', async () => {
    const c = await post<{ candidates: Array<{ kind: string; path?: string }> }>(
      '/setup/api/printer/candidates',
    );
    expect(c.body.candidates[0]?.kind).toBe('virtual');
    // the board's port is not offered as a serial printer
    expect(c.body.candidates.some((x) => x.path === boardHost)).toBe(false);
    const r = await post<SetupPrintResult>('/setup/api/printer/test', {
      printer: { kind: 'virtual', paperWidthMm: 58 },
      deviceId: 'PAD-NEW-12',
      windowNo: '12',
    });
    expect(r.body.ok).toBe(true);
    expect(r.body.preview).toMatch(/^data:image\/png;base64,/);
    const receipts = join(dir, 'data', 'receipts');
    const bin = readdirSync(receipts).find((n) => n.endsWith('.bin'));
    const page = parseEscPos(readFileSync(join(receipts, bin!)));
    const text = textLines(page).join('\n');
    expect(text).toContain('打印测试页');
    expect(text).toContain('Printer test page');
    expect(text).toContain('PAD-NEW-12');
    expect(text).toContain('窗口 Window: 12');
    expect(qrCodes(page)).toHaveLength(1);
  });

  it('a bad request changes nothing and says why', async () => {
    const r = await post<{ error: string; message: string }>('/setup/api/printer/test', {
      printer: { kind: 'tcp', paperWidthMm: 80 },
      deviceId: 'PAD-NEW-12',
      windowNo: '12',
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('printer.host');
  });
});

describe('setup: the board is no printer under any of its names', () => {
  it('a port that is the found board under another name (the udev link) is not offered as a printer', async () => {
    // /dev/hcp-board → /dev/ttyACM0 on a pad: here a link to this test's board pty.
    const link = join(dir, 'board-link');
    symlinkSync(boardHost, link);
    const devices = new SetupDevices({
      dataDir: join(dir, 'data'),
      fontDir: join(dir, 'fonts'),
      log: () => undefined,
      extraPorts: [],
      listPorts: () => Promise.resolve([boardHost, silentHost]),
    });
    const paths = (await devices.printerCandidates([link])).map((c) => c.path ?? c.kind);
    expect(paths).toEqual(['virtual', silentHost]);
  });
});
