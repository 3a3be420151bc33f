/** Serial (RS-232 or USB-serial) printer connection through serialport 13. */
import { SerialPort } from 'serialport';
import type { ByteTransport } from '../transport.js';

export class SerialTransport implements ByteTransport {
  private port: SerialPort | null = null;
  private listeners = new Set<(chunk: Buffer) => void>();

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
  ) {}

  get name(): string {
    return `serial:${this.path}@${this.baudRate}`;
  }
  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const p = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
      p.on('data', (chunk: Buffer) => this.listeners.forEach((l) => l(chunk)));
      // An unplugged adapter closes with disconnected: true; the next open() retries.
      p.on('close', () => {
        if (this.port === p) this.port = null;
      });
      p.on('error', () => {
        if (this.port === p) this.port = null;
      });
      p.open((err) => {
        if (err) return reject(err);
        this.port = p;
        resolve();
      });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const p = this.port;
    if (!p || !p.isOpen) return Promise.reject(new Error(`${this.name} is not open`));
    return new Promise((resolve, reject) => {
      p.write(Buffer.from(data), (err) => {
        if (err) return reject(err);
        p.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (!p || !p.isOpen) return Promise.resolve();
    return new Promise((resolve) => p.close(() => resolve()));
  }
}
