import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { addressAllowed, parseAllowList } from './address-allow.js';
import { hardenHttpServer, requestTarget, serverOptions, type ServerLimits } from './http-hardening.js';
import { SlidingLimiter } from './rate-limit.js';
import type { PadCertificate } from './tls-cert.js';
import { DomainError } from '../domain/errors.js';
import { describeZodError, startEvaluationSchema, type StartEvaluationInput } from '../api/contract.js';
import { CANCEL_REASONS, type CancelReason } from '../domain/record.js';

/** What the window API needs from the core (docs/protocols/window-api.md). */
export interface WindowApiCore {
  startEvaluation(input: StartEvaluationInput): Promise<{ evaluationId: string }>;
  evaluationState(id: string): {
    evaluationId: string;
    state: 'waiting' | 'done' | 'cancelled';
    startedTime: string;
    closedTime?: string;
  } | null;
  cancelEvaluation(id: string, reason: CancelReason, channel: string): void;
  printReceipt(id: string): Promise<{ copy: boolean }>;
  status(): unknown;
}

const STATUS_BY_CODE: Record<string, number> = {
  invalid: 400,
  busy: 409,
  already_rated: 409,
  not_cancellable: 409,
  staff_not_at_window: 403,
  window_paused: 423,
  no_staff: 423,
  not_found: 404,
  printer_unavailable: 503,
  storage_unavailable: 503,
};

const MAX_BODY_BYTES = 256 * 1024;

export interface WindowApiOptions {
  core: WindowApiCore;
  host: string;
  port: number;
  token: string;
  /** per token, sliding one-second window, after authentication */
  rateLimitPerS: number;
  /** every request together, before authentication */
  globalRateLimitPerS?: number;
  /** client addresses/CIDRs; when non-empty, any other peer is dropped at connect */
  allow?: string[];
  /** serve HTTPS with this certificate (required beyond loopback; see core) */
  tls?: PadCertificate | null;
  limits?: Partial<ServerLimits>;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The pad's HTTP API for the window's business/queue system. Bearer token (constant-time compare),
 * at most `rateLimitPerS` requests per second per token (sliding) plus a global cap, TLS and a
 * client allow-list on a LAN, time-outs and a connection cap; JSON errors `{error, message}` with
 * zh-CN text. The rating itself is never part of any answer.
 */
export function startWindowApi(
  opts: WindowApiOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const tokenDigest = createHash('sha256').update(opts.token).digest();
  const perToken = new SlidingLimiter(opts.rateLimitPerS);
  const globalLimit = opts.globalRateLimitPerS ?? Math.max(100, opts.rateLimitPerS * 4);
  const everyone = new SlidingLimiter(globalLimit);
  const allowList = opts.allow && opts.allow.length > 0 ? parseAllowList(opts.allow) : null;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      opts.log('warn', 'window api handler failed', { error: (err as Error).message });
      if (!res.headersSent) send(res, 500, { error: 'internal', message: '内部错误 / internal error' });
      else res.destroy();
    });
  };
  const server: Server = opts.tls
    ? (createTlsServer(
        { key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' },
        onRequest,
      ) as unknown as Server)
    : createServer(serverOptions(opts.limits), onRequest);
  hardenHttpServer(server, (msg, fields) => opts.log('warn', `window api: ${msg}`, fields), opts.limits);
  if (allowList) {
    // Before any byte is read (and before the TLS handshake): a peer not on the list gets nothing.
    server.on('connection', (socket) => {
      if (!addressAllowed(allowList, socket.remoteAddress)) {
        opts.log('warn', 'window api: client not on the allow-list', {
          client: socket.remoteAddress ?? null,
        });
        socket.destroy();
      }
    });
  }
  if (opts.tls)
    server.on('tlsClientError', (err: Error) =>
      opts.log('warn', 'window api: tls error', { error: err.message.slice(0, 120) }),
    );

  function tooMany(res: ServerResponse, retryMs: number, message: string): void {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryMs / 1000))));
    send(res, 429, { error: 'rate_limited', message });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    if (!everyone.take('*', now))
      return tooMany(
        res,
        everyone.retryAfterMs('*', now),
        `接口繁忙，每秒最多 ${globalLimit} 次 / server busy`,
      );

    const auth = req.headers.authorization ?? '';
    const presented = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
    const presentedDigest = createHash('sha256').update(presented).digest();
    if (!presented || !timingSafeEqual(presentedDigest, tokenDigest)) {
      return send(res, 401, {
        error: 'unauthorized',
        message: '缺少或错误的访问令牌 / missing or wrong bearer token',
      });
    }
    // Counted after authentication, per token: a stranger's 401s never use up the business
    // system's allowance (one token today; the key is its digest, never the token itself).
    const tokenKey = presentedDigest.toString('hex').slice(0, 16);
    if (!perToken.take(tokenKey, now))
      return tooMany(
        res,
        perToken.retryAfterMs(tokenKey, now),
        `请求过于频繁，每秒最多 ${opts.rateLimitPerS} 次 / too many requests`,
      );

    const url = requestTarget(req.url);
    if (!url) return send(res, 400, { error: 'invalid', message: '请求路径有误 / malformed request target' });
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (path === '/v1/status' && method === 'GET') return send(res, 200, opts.core.status());
      if (path === '/v1/evaluations' && method === 'POST') {
        const body = await readJson(req);
        const parsed = startEvaluationSchema.safeParse(body);
        if (!parsed.success) {
          const { message } = describeZodError(parsed.error);
          return send(res, 400, { error: 'invalid', message: `请求有误 / ${message}` });
        }
        const { evaluationId } = await opts.core.startEvaluation(parsed.data);
        return send(res, 201, { evaluationId, state: 'waiting' });
      }
      const m = /^\/v1\/evaluations\/([A-Za-z0-9-]{1,64})(\/receipt)?$/.exec(path);
      if (m) {
        const id = m[1] as string;
        if (m[2] && method === 'POST') {
          const { copy } = await opts.core.printReceipt(id);
          return send(res, 200, { evaluationId: id, printed: true, copy });
        }
        if (!m[2] && method === 'GET') {
          const st = opts.core.evaluationState(id);
          if (!st)
            return send(res, 404, { error: 'not_found', message: `没有这个评价 / no evaluation ${id}` });
          return send(res, 200, st);
        }
        if (!m[2] && method === 'DELETE') {
          const reason = url.searchParams.get('reason');
          if (!(CANCEL_REASONS as readonly string[]).includes(reason ?? ''))
            return send(res, 400, {
              error: 'invalid',
              message: `撤销须说明原因 / reason: one of ${CANCEL_REASONS.join(', ')} is required`,
            });
          opts.core.cancelEvaluation(id, reason as CancelReason, `window_api:${client}`);
          return send(res, 200, { evaluationId: id, state: 'cancelled' });
        }
        return send(res, 405, {
          error: 'method_not_allowed',
          message: `不支持 ${method} / method not allowed`,
        });
      }
      return send(res, 404, { error: 'not_found', message: `没有这个接口 / no such endpoint: ${path}` });
    } catch (err) {
      if (err instanceof DomainError) {
        const extra = err.extra ?? {};
        return send(res, STATUS_BY_CODE[err.code] ?? 400, {
          error: err.code,
          message: err.message,
          ...extra,
        });
      }
      if (err instanceof BodyError) return send(res, err.status, { error: 'invalid', message: err.message });
      throw err;
    }
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const scheme = opts.tls ? 'https' : 'http';
      const url = `${scheme}://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
      resolve({
        server,
        url,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new BodyError(415, 'Content-Type 必须是 application/json / body must be JSON');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, '请求体过大 / body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, '请求体不是有效的 JSON / body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
