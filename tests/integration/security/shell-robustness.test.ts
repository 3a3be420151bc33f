import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startShellServer } from '../../../src/host/shell-server.js';
import { startTestCore } from '../../helpers/core.js';
import { closed, rawFrame, writeRaw } from '../../helpers/raw-ws.js';

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad;
let shell: Awaited<ReturnType<typeof startShellServer>>;
const warnings: string[] = [];

beforeEach(async () => {
  pad = await startTestCore();
  const rendererDir = join(pad.dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>pad</title>');
  warnings.length = 0;
  shell = await startShellServer({
    rendererDir,
    port: 0,
    dispatch: pad.core.dispatch,
    subscribe: (l) => pad.core.subscribe(l),
    log: (_level, msg) => warnings.push(msg),
  });
});
afterEach(async () => {
  await shell.close();
  await pad.stop();
});

function open(): Promise<WebSocket> {
  const ws = new WebSocket(`${shell.origin.replace('http', 'ws')}/api?token=${shell.token}`, {
    origin: shell.origin,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function stillServes(): Promise<void> {
  const page = await fetch(shell.origin + '/');
  expect(page.status).toBe(200);
  const ws = await open();
  const answer = await new Promise<Record<string, unknown>>((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>));
    ws.send(JSON.stringify({ id: 7, method: 'getSnapshot', params: {} }));
  });
  expect(answer).toMatchObject({ id: 7, ok: true });
  ws.close();
}

function rawHttp(text: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = netConnect(Number(new URL(shell.origin).port), '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('close', () => resolve(out));
    sock.on('error', () => resolve(out));
    sock.write(text);
  });
}

describe('the shell server survives hostile clients (finding: one GET kills the pad)', () => {
  it('GET /%E0%A4%A answers 400 and the pad keeps serving', async () => {
    const res = await fetch(shell.origin + '/%E0%A4%A');
    expect(res.status).toBe(400);
    await stillServes();
  });

  it('a malformed request line or a huge header is answered 400/431 for that client only', async () => {
    expect(await rawHttp('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawHttp(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    );
    await stillServes();
  });

  it('an upgrade with a malformed URL is refused', async () => {
    const out = await rawHttp(
      'GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(out).toMatch(/^HTTP\/1\.1 (400|403)/);
    await stillServes();
  });

  it('an invalid UTF-8 text frame closes that connection only', async () => {
    const ws = await open();
    const done = closed(ws);
    writeRaw(ws, rawFrame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])));
    expect(await done).toBe(1007);
    await stillServes();
  });

  it('an oversized frame closes that connection only', async () => {
    const ws = await open();
    const done = closed(ws);
    ws.send(Buffer.alloc(300 * 1024, 0x20));
    expect(await done).toBe(1009);
    await stillServes();
  });

  it('a reserved opcode and a bad close code close that connection only', async () => {
    const ws = await open();
    const done = closed(ws);
    writeRaw(ws, rawFrame(0x3, Buffer.from('x')));
    expect([1002, 1006]).toContain(await done);
    const ws2 = await open();
    const done2 = closed(ws2);
    writeRaw(ws2, rawFrame(0x8, Buffer.from([0x00, 0x05])));
    expect([1002, 1006]).toContain(await done2);
    await stillServes();
  });
});
