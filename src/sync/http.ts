import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../domain/clock.js';
import type { ClockOffset } from '../store/clock-offset.js';
import { BodyBuilder, type PreparedBody } from './prepared-body.js';
import { bodyHasher, HEADER, signRequest, type SignatureAlgorithm } from './signing.js';

/** No answer at all (timeout, reset, refused, truncated): the caller retries with back-off. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface PlatformResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ClientOptions {
  baseUrl: string;
  deviceId: string;
  key: Buffer;
  algorithm: SignatureAlgorithm;
  timeoutMs: number;
  offset: ClockOffset;
  padClock: Clock;
  /** Answers bigger than this are cut off as errors: nothing from the network decides our memory use. */
  maxResponseBytes?: number;
}

/** Parses a JSON body without throwing; undefined when it isn't JSON. */
export function jsonOf(res: PlatformResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function errorCodeOf(res: PlatformResponse): string | null {
  const j = jsonOf(res) as { error?: unknown } | undefined;
  return j && typeof j.error === 'string' ? j.error : null;
}

/**
 * The platform's time from an answer: `X-HCP-Server-Time` (platform-api.md §1), else the HTTP
 * `Date` header (a gateway in front of the platform may drop custom headers; whole seconds, so
 * the middle of that second is taken).
 */
export function serverTimeOf(headers: http.IncomingHttpHeaders): number | null {
  const exact = Number(headers[HEADER.serverTime]);
  if (headers[HEADER.serverTime] !== undefined && Number.isFinite(exact) && exact > 0) return exact;
  const date = headers.date === undefined ? NaN : Date.parse(headers.date);
  return Number.isFinite(date) && date > 0 ? date + 500 : null;
}

/**
 * A signed HTTP client for the platform. Every response's X-HCP-Server-Time feeds the clock
 * offset; a `401 clock_skew` or `401 replay` is retried once at once (new time, new nonce).
 */
export class PlatformClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private closed = false;

  constructor(private readonly opts: ClientOptions) {
    this.base = new URL(opts.baseUrl);
    const AgentCtor = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentCtor({ keepAlive: true, maxSockets: 4, keepAliveMsecs: 10_000 });
  }

  /** `path` is relative to the base URL (e.g. `/v1/norms?x=1`), or an absolute URL on the same origin. */
  resolve(path: string): URL {
    if (/^https?:\/\//i.test(path)) return new URL(path);
    const prefix = this.base.pathname.replace(/\/+$/, '');
    return new URL(prefix + '/' + path.replace(/^\/+/, '') + '', this.base.origin);
  }

  sameOrigin(url: URL): boolean {
    return url.origin === this.base.origin;
  }

  /** A body to build a piece at a time, hashed for this client's signature as it grows. */
  bodyBuilder(): BodyBuilder {
    return new BodyBuilder(bodyHasher(this.opts.algorithm));
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    body?: Buffer | PreparedBody,
    headers: Record<string, string> = {},
  ): Promise<PlatformResponse> {
    let res = await this.once(method, path, body, headers);
    if (res.status === 401) {
      const code = errorCodeOf(res);
      // The offset was corrected from this very response; one immediate retry is what §1 asks for.
      if (code === 'clock_skew' || code === 'replay') res = await this.once(method, path, body, headers);
    }
    return res;
  }

  /** One exchange; unsigned when the URL is on another origin (e.g. photos on a CDN). */
  once(
    method: 'GET' | 'POST',
    path: string,
    body: Buffer | PreparedBody | undefined,
    extra: Record<string, string> = {},
  ): Promise<PlatformResponse> {
    if (this.closed) return Promise.reject(new TransportError('network', 'the platform client was closed'));
    const url = this.resolve(path);
    const payload = body ?? Buffer.alloc(0);
    // A prepared body's parts go out as they are; its digest was computed as it was built.
    const parts = Buffer.isBuffer(payload) ? [payload] : payload.parts;
    const headers: Record<string, string> = { ...extra, Accept: 'application/json' };
    if (this.sameOrigin(url)) {
      Object.assign(
        headers,
        signRequest({
          algorithm: this.opts.algorithm,
          key: this.opts.key,
          deviceId: this.opts.deviceId,
          method,
          pathWithQuery: url.pathname + url.search,
          body: payload,
          timeMs: this.opts.offset.correctedNow(),
        }),
      );
    }
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      headers['Content-Length'] = String(payload.length);
    }
    const maxBytes = this.opts.maxResponseBytes ?? 16 * 1024 * 1024;
    const lib = url.protocol === 'https:' ? https : http;
    const sentMs = this.opts.padClock.now();
    return new Promise<PlatformResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, res?: PlatformResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res as PlatformResponse);
      };
      const req = lib.request(
        url,
        { method, headers, agent: this.sameOrigin(url) ? this.agent : undefined },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              req.destroy();
              finish(new TransportError('network', `response larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            if (!res.complete) {
              finish(new TransportError('network', 'response cut off'));
              return;
            }
            const serverTime = serverTimeOf(res.headers);
            if (this.sameOrigin(url) && serverTime !== null)
              this.opts.offset.observe(serverTime, sentMs, this.opts.padClock.now());
            finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
          res.on('error', (e) => finish(new TransportError('network', e.message)));
          res.on('aborted', () => finish(new TransportError('network', 'response aborted')));
        },
      );
      const timer = setTimeout(() => {
        finish(new TransportError('timeout', `no complete answer within ${this.opts.timeoutMs} ms`));
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('error', (e) => finish(new TransportError('network', e.message)));
      for (const part of parts) if (part.length > 0) req.write(part);
      req.end();
    });
  }

  /**
   * Ends the client: open sockets are destroyed and every later request fails at once. (A
   * destroyed agent alone still sends new requests: a caller that was between two awaits when
   * the pad stopped would send a whole batch and hold the stop for its answer.)
   */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}
