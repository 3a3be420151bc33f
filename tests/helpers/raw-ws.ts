import type WebSocket from 'ws';

/** One client→server frame, masked as RFC 6455 requires, written straight to the socket. */
export function rawFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : (() => {
            const b = Buffer.alloc(10);
            b[0] = (fin ? 0x80 : 0) | opcode;
            b[1] = 0x80 | 127;
            b.writeBigUInt64BE(BigInt(len), 2);
            return b;
          })();
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

/** Writes bytes under the ws client's framing, as a broken or hostile client would. */
export function writeRaw(ws: WebSocket, bytes: Buffer): void {
  (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(bytes);
}

export function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve(1006);
    ws.once('close', (code) => resolve(code));
    ws.on('error', () => undefined);
  });
}
