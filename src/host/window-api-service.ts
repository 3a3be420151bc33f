import type { KioskConfig } from '../config/config.js';
import type { Logger } from '../domain/types.js';
import type { WindowApiCore } from './window-api.js';
import { startPadWindowApi, type PadWindowApi } from './window-api-start.js';

type WindowApiConfig = Pick<KioskConfig, 'windowApi' | 'platform'>;

/**
 * The window API server as a service that can move in place: a new binding or token from the
 * technician's 设置 tab restarts only this server. When the new one cannot listen (port in use,
 * address not on this machine) the old one is serving again before the error is thrown.
 */
export class WindowApiService {
  private current: PadWindowApi | null = null;

  constructor(private readonly o: { dataDir: string; log: Logger; core: WindowApiCore }) {}

  get url(): string {
    return this.current?.url ?? '';
  }
  get token(): string {
    return this.current?.token ?? '';
  }
  get fingerprint(): string | null {
    return this.current?.fingerprint ?? null;
  }

  async start(config: WindowApiConfig): Promise<void> {
    this.current = await this.listen(config);
  }

  /**
   * Listens with `next`. On a new address the new server listens first and the old one closes
   * after (no gap, and a failure leaves the old one untouched); on the same address the old one
   * closes first, and comes back with `previous` if the new one fails.
   */
  async restart(next: WindowApiConfig, previous: WindowApiConfig): Promise<void> {
    const old = this.current;
    const a = next.windowApi;
    const b = previous.windowApi;
    // The same port on an overlapping address (one of them a wildcard, or two names of one
    // address) cannot be held twice: the old server must let go first.
    const sameAddress = a.port === b.port && a.port !== 0 && addressesOverlap(a.host, b.host);
    if (!sameAddress || !old) {
      const started = await this.listen(next);
      this.current = started;
      await old?.close();
      return;
    }
    await old.close();
    this.current = null;
    try {
      this.current = await this.listen(next);
    } catch (err) {
      this.current = await this.listen(previous);
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    await c?.close();
  }

  private listen(config: WindowApiConfig): Promise<PadWindowApi> {
    return startPadWindowApi({ config, dataDir: this.o.dataDir, log: this.o.log, core: this.o.core });
  }
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

function addressesOverlap(x: string, y: string): boolean {
  if (x === y || WILDCARDS.has(x) || WILDCARDS.has(y)) return true;
  return LOOPBACK_NAMES.has(x) && LOOPBACK_NAMES.has(y);
}
