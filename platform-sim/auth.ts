import type http from 'node:http';
import { HEADER, verifySignature } from '../src/sync/signing.js';
import type { SimContext } from './context.js';
import { HttpError } from './http-answer.js';

/** Signature, clock skew, enabled device and nonce replay: the platform's checks on every request. */
export class SimAuth {
  private nonceInserts = 0;

  constructor(private readonly ctx: SimContext) {}

  /** The device that signed this request (platform-api.md §1), or the refusal. */
  authenticate(req: http.IncomingMessage, method: string, body: Buffer): string {
    const h = (n: string) => {
      const v = req.headers[n];
      return typeof v === 'string' ? v : undefined;
    };
    const deviceId = h(HEADER.device);
    const time = h(HEADER.time);
    const nonce = h(HEADER.nonce);
    const sig = h(HEADER.signature);
    const bad = () => {
      this.ctx.counters().auth.badSignature += 1;
      return new HttpError(401, 'bad_signature');
    };
    if (!deviceId || !time || !nonce || !sig || !/^\d{1,16}$/.test(time) || !/^[0-9a-f]{32}$/.test(nonce))
      throw bad();
    const dev = this.ctx.stmt('SELECT secret, enabled FROM devices WHERE device_id = ?').get(deviceId) as
      { secret: string; enabled: number } | undefined;
    if (!dev) throw bad();
    if (!verifySignature(sig, Buffer.from(dev.secret, 'base64'), method, req.url ?? '/', time, nonce, body))
      throw bad();
    const now = this.ctx.clock.now();
    if (Math.abs(now - Number(time)) > this.ctx.limits.skewMs) {
      this.ctx.counters().auth.clockSkew += 1;
      throw new HttpError(401, 'clock_skew');
    }
    if (dev.enabled !== 1) {
      this.ctx.counters().auth.disabled += 1;
      throw new HttpError(403, 'device_disabled');
    }
    if (++this.nonceInserts % 500 === 0)
      this.ctx.stmt('DELETE FROM nonces WHERE seen_ms < ?').run(now - this.ctx.limits.nonceWindowMs);
    const seen = this.ctx
      .stmt('SELECT seen_ms AS seenMs FROM nonces WHERE device_id = ? AND nonce = ?')
      .get(deviceId, nonce) as { seenMs: number } | undefined;
    if (seen && seen.seenMs >= now - this.ctx.limits.nonceWindowMs) {
      this.ctx.counters().auth.replay += 1;
      throw new HttpError(401, 'replay');
    }
    this.ctx.db
      .prepare(
        'INSERT INTO nonces (device_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT(device_id, nonce) DO UPDATE SET seen_ms = excluded.seen_ms',
      )
      .run(deviceId, nonce, now);
    return deviceId;
  }
}
