/**
 * The one serial transport of the pad (serialport 13): the star-key board and a serial receipt
 * printer both talk through it. What differs between them is an option, not a second class.
 */
import { SerialPortStream } from '@serialport/stream';
import { serialBinding } from './serial-binding.js';

export interface SerialPortOptions {
  /**
   * The board: no DTR/RTS games (EVB/1 §1) — `hupcl: false` keeps an Arduino-class board from
   * resetting on close, no hardware or software flow control. The printer keeps the driver's
   * defaults.
   */
  lineControl: 'none' | 'defaults';
  /** Resolve a write only once the OS has drained it (the printer's job timing needs it). */
  drainOnWrite: boolean;
  /**
   * A port error forgets the port at once (the printer: the next open() retries); otherwise it
   * surfaces through the close or the failing write (the board).
   */
  forgetOnError: boolean;
}

export class SerialByteTransport {
  private port: SerialPortStream | null = null;
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly closeListeners = new Set<(disconnected: boolean) => void>();

  constructor(
    readonly path: string,
    private readonly baudRate: number,
    private readonly o: SerialPortOptions,
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
      const p = new SerialPortStream(
        this.o.lineControl === 'none'
          ? {
              binding: serialBinding,
              path: this.path,
              baudRate: this.baudRate,
              autoOpen: false,
              hupcl: false,
              rtscts: false,
              xon: false,
              xoff: false,
            }
          : { binding: serialBinding, path: this.path, baudRate: this.baudRate, autoOpen: false },
      );
      p.on('data', (chunk: Buffer) => {
        if (this.port === p) for (const l of [...this.dataListeners]) l(chunk);
      });
      // An unplugged adapter closes with disconnected: true; the next open() retries.
      p.on('close', (err?: Error & { disconnected?: boolean }) => {
        if (this.port !== p) return;
        this.port = null;
        for (const l of [...this.closeListeners]) l(err?.disconnected === true);
      });
      p.on('error', () => {
        // An unhandled 'error' would throw; what it means is decided by the option.
        if (this.o.forgetOnError && this.port === p) this.port = null;
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
        if (!this.o.drainOnWrite) return resolve();
        p.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  /** Called when the port closes by itself; disconnected = the device went away (unplug). */
  onClose(listener: (disconnected: boolean) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (!p || !p.isOpen) return Promise.resolve();
    return new Promise((resolve) => p.close(() => resolve()));
  }
}
