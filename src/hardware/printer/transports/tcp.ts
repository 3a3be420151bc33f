/** Raw TCP (port 9100, "JetDirect") printer connection; reconnects on the next open(). */
import net from 'node:net';
import type { ByteTransport } from '../transport.js';

export class TcpTransport implements ByteTransport {
  private socket: net.Socket | null = null;
  private listeners = new Set<(chunk: Buffer) => void>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs = 3000,
  ) {}

  get name(): string {
    return `tcp://${this.host}:${this.port}`;
  }
  get isOpen(): boolean {
    return this.socket !== null && !this.socket.destroyed;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port });
      s.setNoDelay(true);
      const timer = setTimeout(
        () => s.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
      s.once('connect', () => {
        clearTimeout(timer);
        // Keep-alive: a printer switched off mid-shift otherwise leaves a half-open socket.
        s.setKeepAlive(true, 10_000);
        this.socket = s;
        resolve();
      });
      s.on('data', (chunk: Buffer) => this.listeners.forEach((l) => l(chunk)));
      s.on('error', (err) => {
        clearTimeout(timer);
        if (this.socket === s) this.socket = null;
        reject(err);
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = null;
      });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.reject(new Error(`${this.name} is not open`));
    return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(err) : resolve())));
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      s.once('close', () => resolve());
      s.end();
      setTimeout(() => s.destroy(), 500).unref();
    });
  }
}
