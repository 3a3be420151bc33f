import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import {
  setupBoardFindSchema,
  setupIdentitySchema,
  setupPrintTestSchema,
  setupSaveSchema,
  type SetupPrinter,
  type SetupProbeAnswer,
} from '../api/setup-contract.js';
import { saveConfigChange } from '../config/config-file.js';
import { probePlatform } from '../sync/probe.js';
import { requestTarget } from './http-hardening.js';
import type { SetupDevices } from './setup-devices.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The first-start setup screen's server (127.0.0.1 only, one random token): serves the renderer's
 * setup page, makes the signed test call to the platform, and saves the configuration only after
 * the platform accepted this identity. `onSaved` starts the pad and returns its screen's URL.
 */
export async function startSetupServer(opts: {
  rendererDir: string;
  configFile: string;
  auditFile: string;
  /** the board search and the printer test page */
  devices: SetupDevices;
  port?: number;
  onSaved: () => Promise<string>;
}): Promise<{ url: string; close(): Promise<void> }> {
  const token = randomBytes(24).toString('base64url');
  const devices = opts.devices;
  /** the printer settings a test page last went out on */
  let printed: string | null = null;
  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  };
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) =>
      send(res, 500, { error: 'internal', message: (err as Error).message }),
    );
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestTarget(req.url)?.pathname;
    if (path === undefined) return send(res, 400, { error: 'invalid', message: 'malformed request target' });
    if (req.method === 'POST' && path.startsWith('/setup/api/')) {
      if (!authorised(req)) return send(res, 401, { error: 'unauthorised' });
      const body = await readJson(req);
      if (path === '/setup/api/test') {
        const p = setupIdentitySchema.safeParse(body);
        if (!p.success) return send(res, 400, { error: 'invalid', message: issues(p.error) });
        return send(res, 200, await testCall(p.data));
      }
      if (path === '/setup/api/board/find') {
        const p = setupBoardFindSchema.safeParse(body ?? {});
        if (!p.success) return send(res, 400, { error: 'invalid', message: issues(p.error) });
        return send(res, 200, await devices.findBoard(p.data.timeoutS));
      }
      if (path === '/setup/api/board/status') return send(res, 200, devices.boardSearch());
      if (path === '/setup/api/board/cancel') {
        await devices.stopBoardSearch();
        return send(res, 200, devices.boardSearch());
      }
      if (path === '/setup/api/printer/candidates') {
        const board = devices.boardSearch().found?.path;
        return send(res, 200, { candidates: await devices.printerCandidates(board ? [board] : []) });
      }
      if (path === '/setup/api/printer/test') {
        const p = setupPrintTestSchema.safeParse(body);
        if (!p.success) return send(res, 400, { error: 'invalid', message: issues(p.error) });
        const { printer, deviceId, windowNo } = p.data;
        const r = await devices.printTestPage(printer, { deviceId, windowNo });
        if (r.ok) printed = printerKey(printer);
        return send(res, 200, r);
      }
      if (path === '/setup/api/save') {
        const p = setupSaveSchema.safeParse(body);
        if (!p.success) return send(res, 400, { error: 'invalid', message: issues(p.error) });
        // Only what was checked here is saved: the board that answered a key, a printer that printed.
        const found = devices.boardSearch().found;
        const b = p.data.board;
        if (b.kind === 'serial' && (found?.path !== b.path || found.serial !== b.serialNumber))
          return send(res, 400, {
            error: 'invalid',
            message: `board: 评价器 ${b.path} 未经按键确认 / the board at ${b.path} was not found by a key press here`,
          });
        if (p.data.printer.kind !== 'none' && printed !== printerKey(p.data.printer))
          return send(res, 400, {
            error: 'invalid',
            message: 'printer: 请先在此打印机上打印测试页 / print a test page on this printer first',
          });
        // Nothing is saved unless the platform accepts this identity now.
        const probe = await testCall(p.data);
        if (!probe.ok) return send(res, 200, { ok: false, probe });
        // The pad opens the board's port next: the search lets go of every port first.
        await devices.stopBoardSearch();
        const { changed } = saveConfigChange({
          file: opts.configFile,
          auditFile: opts.auditFile,
          who: 'setup',
          change: {
            platform: {
              baseUrl: p.data.baseUrl,
              deviceId: p.data.deviceId,
              deviceSecret: p.data.deviceSecret,
              signature: p.data.signature,
            },
            hall: { windowNo: p.data.windowNo },
            technician: { code: p.data.technicianCode },
            board:
              b.kind === 'serial'
                ? { kind: 'serial', path: b.path, serialNumber: b.serialNumber, baudRate: 115200 }
                : { kind: 'none' },
            printer: p.data.printer,
          },
        });
        const next = await opts.onSaved();
        return send(res, 200, { ok: true, next, changed, probe });
      }
      return send(res, 404, { error: 'not_found' });
    }
    if (req.method !== 'GET') return send(res, 405, { error: 'method' });
    const rel = path === '/' ? '/setup.html' : decodeURIComponent(path);
    const file = normalize(join(opts.rendererDir, rel));
    if (!file.startsWith(opts.rendererDir + sep) || !existsSync(file))
      return send(res, 404, { error: 'not_found' });
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'",
    });
    res.end(readFileSync(file));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/setup.html#token=${token}`,
    close: () =>
      new Promise((r) => {
        void devices.stopBoardSearch();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function testCall(p: {
  baseUrl: string;
  deviceId: string;
  deviceSecret: string;
  signature: 'hmac-sha256' | 'hmac-sm3';
}): Promise<SetupProbeAnswer> {
  const r = await probePlatform({
    baseUrl: p.baseUrl,
    deviceId: p.deviceId,
    secret: p.deviceSecret,
    algorithm: p.signature,
    timeoutMs: 8000,
  });
  const answer =
    r.error ?? `HTTP ${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`;
  return {
    ok: r.status === 200,
    status: r.status,
    answer: answer.slice(0, 2000),
    clockOffsetMs: r.clockOffsetMs,
  };
}

/** A printer choice as a comparable key (the QR mode may differ: the page tests the device). */
function printerKey(p: SetupPrinter): string {
  return JSON.stringify([p.kind, p.path ?? null, p.host ?? null, p.port ?? null, p.paperWidthMm]);
}

function issues(e: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return e.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(null);
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
