import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatformSim } from '../../../platform-sim/index.js';

let sim: Awaited<ReturnType<typeof startPlatformSim>>;
beforeAll(async () => {
  sim = await startPlatformSim();
});
afterAll(async () => sim.close());

function raw(text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(Number(new URL(sim.url).port), '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.write(text);
    setTimeout(() => s.destroy(), 1500);
  });
}

describe('the platform simulator answers bad requests with 4xx for that client alone', () => {
  it('a malformed percent-escape is 400, not 500', async () => {
    const res = await fetch(`${sim.url}/v1/staff/%E0%A4%A/photo`);
    expect(res.status).toBe(400);
  });

  it('garbage and a huge head are refused; the simulator keeps answering', async () => {
    expect(await raw('NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET /v1/health HTTP/1.1\r\nX: ${'a'.repeat(80_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    );
    const ok = await fetch(`${sim.url}/v1/health`);
    expect(ok.status).toBe(200);
  });
});
