import http from 'node:http';
import https from 'node:https';
import { decodeSecret, signRequest, type SignatureAlgorithm } from './signing.js';

export interface ProbeResult {
  /** an HTTP answer came back (any status) */
  reachable: boolean;
  status: number | null;
  /** the platform's JSON answer (or its text), for the technician to read */
  body: unknown;
  /** server − pad, from `X-HCP-Server-Time` and the round trip's midpoint */
  clockOffsetMs: number | null;
  rttMs: number | null;
  /** why there was no answer, in words */
  error: string | null;
}

/**
 * One signed `GET /v1/devices/{id}/profile`: is the platform there, does it accept this identity,
 * how far off is this pad's clock. Used by the setup screen (nothing is saved unless it answers
 * 200) and by `doctor`. A `clock_skew` answer is retried once with the offset it revealed.
 */
export async function probePlatform(opts: {
  baseUrl: string;
  deviceId: string;
  secret: string;
  algorithm: SignatureAlgorithm;
  timeoutMs?: number;
  nowMs?: () => number;
}): Promise<ProbeResult> {
  const now = opts.nowMs ?? Date.now;
  let key: Buffer;
  try {
    key = decodeSecret(opts.secret);
  } catch (err) {
    return fail(`密钥格式不对 / the device secret is not base64 of 32 bytes (${(err as Error).message})`);
  }
  let first = await once(opts, key, now, 0);
  if (first.status === 401 && errorCode(first.body) === 'clock_skew' && first.clockOffsetMs !== null) {
    first = { ...(await once(opts, key, now, first.clockOffsetMs)), clockOffsetMs: first.clockOffsetMs };
  }
  return first;
}

function errorCode(body: unknown): string | null {
  return body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string'
    ? (body as { error: string }).error
    : null;
}

const fail = (error: string): ProbeResult => ({
  reachable: false,
  status: null,
  body: null,
  clockOffsetMs: null,
  rttMs: null,
  error,
});

function once(
  opts: Parameters<typeof probePlatform>[0],
  key: Buffer,
  now: () => number,
  offsetMs: number,
): Promise<ProbeResult> {
  let url: URL;
  try {
    const base = new URL(opts.baseUrl);
    url = new URL(
      `${base.pathname.replace(/\/+$/, '')}/v1/devices/${encodeURIComponent(opts.deviceId)}/profile`,
      base.origin,
    );
  } catch {
    return Promise.resolve(fail(`平台地址无效 / not a URL: ${opts.baseUrl}`));
  }
  const headers = signRequest({
    algorithm: opts.algorithm,
    key,
    deviceId: opts.deviceId,
    method: 'GET',
    pathWithQuery: url.pathname + url.search,
    body: Buffer.alloc(0),
    timeMs: now() + offsetMs,
  });
  const lib = url.protocol === 'https:' ? https : http;
  const sent = now();
  return new Promise((resolve) => {
    const req = lib.request(
      url,
      { method: 'GET', headers: { ...headers, Accept: 'application/json' }, timeout: opts.timeoutMs ?? 8000 },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1_000_000) chunks.push(c);
        });
        res.on('end', () => {
          const received = now();
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: the technician sees the text
          }
          const serverTime = Number(res.headers['x-hcp-server-time']);
          resolve({
            reachable: true,
            status: res.statusCode ?? null,
            body,
            clockOffsetMs: Number.isFinite(serverTime)
              ? Math.round(serverTime - (sent + received) / 2)
              : null,
            rttMs: received - sent,
            error: null,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 8000} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(fail(`平台无法连接 / the platform cannot be reached: ${err.code ?? err.message}`)),
    );
    req.end();
  });
}
