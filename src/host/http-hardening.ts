import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

/** Limits every server of the pad applies, so that one slow or broken client costs only itself. */
export interface ServerLimits {
  /** the whole request head must arrive within this */
  headersTimeoutMs: number;
  /** the whole request (head and body) must arrive within this */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** connections beyond this are refused at accept */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
};

/**
 * Options for `createServer`: Node checks the time-outs on a timer fixed at creation (30 s by
 * default), too coarse for a 10 s header limit.
 */
export function serverOptions(limits: Partial<ServerLimits> = {}): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  const l = { ...DEFAULT_SERVER_LIMITS, ...limits };
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(l.headersTimeoutMs / 4))),
  };
}

/**
 * Time-outs, a connection cap, and a `clientError` handler: a malformed request line, an
 * oversized head or a reset socket answers that client with 400/408/431 (or just closes it) and
 * never reaches the process as an unhandled error.
 */
export function hardenHttpServer(
  server: HttpServer | HttpsServer,
  log: (msg: string, fields?: Record<string, unknown>) => void,
  limits: Partial<ServerLimits> = {},
): void {
  const l = { ...DEFAULT_SERVER_LIMITS, ...limits };
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
  server.maxHeadersCount = 64;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    if (err.code !== 'ECONNRESET')
      log('http client error', { code: err.code ?? null, error: err.message.slice(0, 200) });
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));
  server.on('drop', () => log('connection refused: too many connections', { max: l.maxConnections }));
}

/**
 * The request target as a URL, or null when it is not an origin-form path (`/…`). `new URL(raw,
 * base)` reads `//host/path` as another host — it threw on `//%%86` (a 500) and served
 * `//evil/v1/status` as `/v1/status` — so the path is always put under a fixed host.
 */
export function requestTarget(raw: string | undefined): URL | null {
  const target = raw ?? '/';
  if (!target.startsWith('/')) return null;
  try {
    return new URL(`http://pad${target}`);
  } catch {
    return null;
  }
}
