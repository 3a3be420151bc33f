import { connect as netConnect } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPadProcess, PROCESS_WINDOW_TOKEN, type PadProcess } from '../../helpers/pad-process.js';
import { closed, rawFrame, writeRaw } from '../../helpers/raw-ws.js';

let pad: PadProcess;
beforeAll(async () => {
  pad = await startPadProcess();
});
afterAll(async () => pad.stop());

const shellOrigin = () => new URL(pad.shellUrl).origin;
const shellToken = () => new URL(pad.shellUrl.replace('#', '?')).searchParams.get('token') ?? '';

function open(): Promise<WebSocket> {
  const ws = new WebSocket(`${shellOrigin().replace('http', 'ws')}/api?token=${shellToken()}`, {
    origin: shellOrigin(),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function stillUp(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  expect(pad.alive(), `the pad process died:\n${pad.stderr().slice(-2000)}`).toBe(true);
  const status = await fetch(pad.windowApiUrl + '/v1/status', {
    headers: { Authorization: `Bearer ${PROCESS_WINDOW_TOKEN}` },
  });
  expect(status.status).toBe(200);
}

function rawSend(port: number, text: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    const sock = netConnect(port, '127.0.0.1');
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
    sock.on('data', () => sock.destroy());
    sock.write(text, () => setTimeout(() => sock.destroy(), 200));
  });
}

describe('nothing a client sends stops the pad process', () => {
  it('survives GET /%E0%A4%A on the shell port', async () => {
    const res = await fetch(shellOrigin() + '/%E0%A4%A').catch(() => null);
    expect(res?.status ?? 0).toBeLessThan(500);
    await stillUp();
  });

  it('survives an invalid UTF-8 frame and an oversized frame on the WebSocket', async () => {
    const a = await open();
    const aClosed = closed(a);
    writeRaw(a, rawFrame(0x1, Buffer.from([0xff, 0xfe, 0xfd])));
    await aClosed;
    const b = await open();
    const bClosed = closed(b);
    b.send(Buffer.alloc(2 * 1024 * 1024, 0x41));
    await bClosed;
    await stillUp();
  });

  it('survives garbage on the window API and the shell ports', async () => {
    const apiPort = Number(new URL(pad.windowApiUrl).port);
    const shellPort = Number(new URL(shellOrigin()).port);
    for (const port of [apiPort, shellPort]) {
      await rawSend(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00]));
      await rawSend(port, 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n');
      await rawSend(port, 'POST /v1/evaluations HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{');
      await rawSend(port, `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(5000)}\r\n`);
    }
    await stillUp();
  });
});
