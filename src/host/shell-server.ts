import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { wireRequestSchema, type EventName, type WireMessage } from '../api/contract.js';
import type { ClientSession, Dispatch } from '../api/dispatch.js';
import { hardenHttpServer, serverOptions } from './http-hardening.js';

/** Commands are small; a frame larger than this closes the connection. */
const MAX_WS_PAYLOAD = 64 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; media-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The browser shell's transport: serves the built renderer and carries the API over a WebSocket
 * on 127.0.0.1. A random token per start and an Origin check keep other local pages and
 * processes from driving the pad.
 */
export async function startShellServer(opts: {
  rendererDir: string;
  port: number;
  dispatch: Dispatch;
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  token?: string;
  /** `/voice/<lang>/<id>` → the prompt file to play (the hall's own or the shipped one) */
  voiceFile?: (urlPath: string) => { file: string; mime: string } | null;
}): Promise<{ url: string; origin: string; token: string; close(): Promise<void> }> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = resolve(opts.rendererDir);
  let origin = '';

  const server: Server = createServer(serverOptions(), (req, res) => {
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      // A malformed path (`/%E0%A4%A`) is that client's problem, never the pad's.
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('bad request');
      return;
    }
    if (rel.startsWith('/voice/')) {
      const voice = opts.voiceFile?.(rel) ?? null;
      if (!voice) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('no such prompt');
        return;
      }
      // no-store: a prompt the hall drops into the data dir is heard from the next evaluation on.
      res.writeHead(200, {
        'Content-Type': voice.mime,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      createReadStream(voice.file)
        .on('error', () => res.destroy())
        .pipe(res);
      return;
    }
    if (rel === '/') rel = '/index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        existsSync(join(root, 'index.html'))
          ? 'not found'
          : `界面尚未构建 / renderer not built: run npm run build (looked in ${root})`,
      );
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': extname(file) === '.html' ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  hardenHttpServer(server, (msg, fields) => opts.log('warn', msg, fields));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD });
  wss.on('error', (err) => opts.log('warn', 'shell websocket server error', { error: err.message }));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const presented = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = presented.length === expected.length && timingSafeEqual(presented, expected);
    if (url.pathname !== '/api' || !tokenOk || req.headers.origin !== origin) {
      opts.log('warn', 'shell websocket refused', {
        path: url.pathname,
        origin: req.headers.origin ?? null,
        tokenOk,
      });
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const session: ClientSession = { techUnlocked: false };
    const send = (msg: WireMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = opts.subscribe((event, payload) => send({ kind: 'event', event, payload }));
    ws.on('close', unsubscribe);
    // An oversized, invalid UTF-8 or otherwise broken frame ends this connection only.
    ws.on('error', (err) => {
      opts.log('warn', 'shell websocket closed on a bad frame', { error: err.message });
      ws.terminate();
    });
    ws.on('message', (data) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        send({
          kind: 'result',
          id: -1,
          ok: false,
          error: { code: 'invalid', message: '消息不是有效的 JSON / message is not JSON' },
        });
        return;
      }
      const req = wireRequestSchema.safeParse(raw);
      if (!req.success) {
        const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
        send({
          kind: 'result',
          id,
          ok: false,
          error: {
            code: 'invalid',
            message:
              `消息格式有误 / malformed request: ${req.error.issues[0]?.path.join('.') ?? ''} ${req.error.issues[0]?.message ?? ''}`.trim(),
          },
        });
        return;
      }
      void opts
        .dispatch(req.data.method, req.data.params, session)
        .then((out) =>
          send(
            out.ok
              ? { kind: 'result', id: req.data.id, ok: true, result: out.result }
              : { kind: 'result', id: req.data.id, ok: false, error: out.error },
          ),
        );
    });
  }

  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => r());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
