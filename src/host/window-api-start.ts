import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KioskConfig } from '../config/config.js';
import type { Logger } from '../domain/types.js';
import { isLoopbackHost } from './address-allow.js';
import { writePrivateFile } from './data-dir.js';
import { padCertificate } from './tls-cert.js';
import { startWindowApi, type WindowApiCore } from './window-api.js';

export interface PadWindowApi {
  url: string;
  token: string;
  /** SHA-256 fingerprint of the certificate when it serves TLS */
  fingerprint: string | null;
  close(): Promise<void>;
}

/**
 * The window API as this pad configures it: its token (generated once per data directory), TLS
 * whenever it listens beyond loopback (or always, if configured), the limits and the allow-list.
 */
export async function startPadWindowApi(o: {
  config: Pick<KioskConfig, 'windowApi' | 'platform'>;
  dataDir: string;
  log: Logger;
  core: WindowApiCore;
}): Promise<PadWindowApi> {
  const wa = o.config.windowApi;
  const token = resolveWindowApiToken(wa.token, o.dataDir);
  const tls =
    wa.tls === 'always' || !isLoopbackHost(wa.host)
      ? await padCertificate(o.dataDir, o.config.platform.deviceId)
      : null;
  const api = await startWindowApi({
    core: o.core,
    host: wa.host,
    port: wa.port,
    token,
    rateLimitPerS: wa.rateLimitPerS,
    globalRateLimitPerS: wa.globalRateLimitPerS,
    allow: wa.allow,
    tls,
    limits: {
      maxConnections: wa.maxConnections,
      headersTimeoutMs: wa.headersTimeoutMs,
      requestTimeoutMs: wa.requestTimeoutMs,
    },
    log: o.log,
  });
  o.log('info', 'window api listening', { url: api.url });
  return { url: api.url, token, fingerprint: tls?.fingerprint256 ?? null, close: () => api.close() };
}

/** `generate` keeps one random token per data directory, readable by the technician. */
function resolveWindowApiToken(configured: string, dataDir: string): string {
  if (configured !== 'generate') return configured;
  const file = join(dataDir, 'window-api.token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writePrivateFile(file, token + '\n');
  return token;
}
