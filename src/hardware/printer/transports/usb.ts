/**
 * USB printer class device file (`/dev/usb/lp0`, kernel usblp) with plain fs calls.
 *
 * Opened O_NONBLOCK and polled: a blocking read on usblp waits until the printer sends something
 * and would pin a libuv thread past any timeout; non-blocking reads return EAGAIN instead, and a
 * full write buffer (printer busy) returns EAGAIN that we retry until it drains.
 */
import fs from 'node:fs';
import type { ByteTransport } from '../transport.js';

const POLL_MS = 10;

export class UsbDeviceFileTransport implements ByteTransport {
  private fd: number | null = null;
  private listeners = new Set<(chunk: Buffer) => void>();
  private poller: NodeJS.Timeout | null = null;
  private reading = false;

  constructor(
    private readonly path: string,
    /** False for devices without a read channel (or a plain file): never poll for answers. */
    private readonly readable = true,
  ) {}

  get name(): string {
    return `usb:${this.path}`;
  }
  get isOpen(): boolean {
    return this.fd !== null;
  }

  async open(): Promise<void> {
    if (this.fd !== null) return;
    const { O_RDWR, O_WRONLY, O_NONBLOCK, O_NOCTTY, O_APPEND } = fs.constants;
    const flags = this.readable ? O_RDWR | O_NONBLOCK | O_NOCTTY : O_WRONLY | O_NONBLOCK | O_APPEND;
    this.fd = await new Promise<number>((resolve, reject) =>
      fs.open(this.path, flags, (e, fd) => (e ? reject(e) : resolve(fd))),
    );
    if (this.readable) {
      this.poller = setInterval(() => void this.poll(), POLL_MS);
      this.poller.unref();
    }
  }

  private async poll(): Promise<void> {
    const fd = this.fd;
    if (fd === null || this.reading) return;
    this.reading = true;
    let gone = false;
    try {
      const buf = Buffer.alloc(256);
      for (;;) {
        const n = await new Promise<number>((resolve, reject) =>
          fs.read(fd, buf, 0, buf.length, null, (e, bytes) => (e ? reject(e) : resolve(bytes))),
        );
        if (n <= 0) break; // EOF: a plain file, or nothing yet
        const chunk = Buffer.from(buf.subarray(0, n));
        this.listeners.forEach((l) => l(chunk));
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      gone = code !== 'EAGAIN' && code !== 'EWOULDBLOCK'; // unplugged: ENODEV / EIO
    } finally {
      this.reading = false;
    }
    if (gone && this.fd === fd) await this.close();
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const fd = this.fd;
      if (fd === null) throw new Error(`${this.name} is not open`);
      try {
        off += await new Promise<number>((resolve, reject) =>
          fs.write(fd, data, off, data.length - off, null, (e, n) => (e ? reject(e) : resolve(n))),
        );
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          await this.close();
          throw e;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    const fd = this.fd;
    this.fd = null;
    // Let an in-flight read finish first: closing under it could hand its fd number to a new file.
    while (this.reading) await new Promise((r) => setTimeout(r, 1));
    if (fd !== null) await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}
