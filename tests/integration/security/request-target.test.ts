import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSim } from '../../../platform-sim/index.js';
import { requestTarget } from '../../../src/host/http-hardening.js';
import { TOKEN, startTestCore } from '../../helpers/core.js';

/**
 * Found by the fuzz suite: a request target starting with `//` was read as another host.
 * `GET //%%86%AA` made `new URL` throw (a 500 from the window API and the simulator) and
 * `GET //evil/v1/status` was served as `/v1/status`.
 */
type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad;
let sim: Awaited<ReturnType<typeof startPlatformSim>>;
beforeAll(async () => {
  pad = await startTestCore();
  sim = await startPlatformSim();
});
afterAll(async () => {
  await sim.close();
  await pad.stop();
});

function raw(url: string, head: string): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(Number(new URL(url).port), '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.write(head, () => s.end());
  });
}
const status = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

describe('request targets beginning with // (finding of the fuzz suite)', () => {
  it('the window API answers an unparsable one with a 4xx (no such endpoint), not 500', async () => {
    const reply = await raw(
      pad.core.windowApiUrl,
      `DELETE //%%86%AA%F1? HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(status(reply)).toBe(404);
  });

  it('the window API does not read //host/v1/status as /v1/status', async () => {
    const reply = await raw(
      pad.core.windowApiUrl,
      `GET //evil/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    expect(status(reply)).toBe(404);
  });

  it('the platform simulator answers 400 or 404, not 500', async () => {
    expect(status(await raw(sim.url, 'GET //%%86%AA HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeLessThan(500);
    expect(status(await raw(sim.url, 'GET //%%86%AA HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeGreaterThanOrEqual(
      400,
    );
  });

  it('requestTarget keeps every origin-form path under one host and refuses the other forms', () => {
    expect(requestTarget('//evil/v1/status')?.pathname).toBe('//evil/v1/status');
    expect(requestTarget('//%%86%AA')?.host).toBe('pad');
    expect(requestTarget('http://x/v1/status')).toBeNull();
    expect(requestTarget('*')).toBeNull();
    expect(requestTarget('/v1/status?x=1')?.searchParams.get('x')).toBe('1');
  });
});
