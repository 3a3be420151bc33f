/** The board on a real serial device (USB CDC-ACM, USB-serial adapter, UART) via serialport 13. */
import { existsSync, readdirSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { TransportEvents, type ByteTransport } from './transport.js';

export class SerialTransport implements ByteTransport {
  private port: SerialPort | null = null;
  private readonly ev = new TransportEvents();

  constructor(
    readonly path: string,
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
      // No DTR/RTS games (§1): hupcl false keeps an Arduino-class board from resetting on close.
      const p = new SerialPort({
        path: this.path,
        baudRate: this.baudRate,
        autoOpen: false,
        hupcl: false,
        rtscts: false,
        xon: false,
        xoff: false,
      });
      p.on('data', (chunk: Buffer) => {
        if (this.port === p) this.ev.emitData(chunk);
      });
      p.on('close', (err?: Error & { disconnected?: boolean }) => {
        if (this.port !== p) return;
        this.port = null;
        this.ev.emitClose(err?.disconnected === true);
      });
      p.on('error', () => {
        // Errors surface through close or the failing write; an unhandled 'error' would throw.
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
      p.write(Buffer.from(data), (err) => (err ? reject(err) : resolve()));
    });
  }

  onData(l: (chunk: Uint8Array) => void): () => void {
    return this.ev.onData(l);
  }
  onClose(l: (disconnected: boolean) => void): () => void {
    return this.ev.onClose(l);
  }

  close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (!p || !p.isOpen) return Promise.resolve();
    return new Promise((resolve) => p.close(() => resolve()));
  }
}

export const STABLE_BOARD_PATH = '/dev/hcp-board';
const SCAN_PREFIXES = ['ttyACM', 'ttyUSB', 'ttyS'];

/**
 * Ports that might hold a board, most likely first: the udev symlink, configured extras, then a
 * /dev scan. SerialPort.list() needs udevadm, which small images lack, so it is only a bonus.
 */
export async function listSerialCandidates(
  extra: readonly string[] = [],
  devDir = '/dev',
): Promise<string[]> {
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p) && existsSync(p)) out.push(p);
  };
  add(STABLE_BOARD_PATH);
  extra.forEach(add);
  let names: string[] = [];
  try {
    names = readdirSync(devDir);
  } catch {
    names = [];
  }
  for (const prefix of SCAN_PREFIXES) {
    names
      .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
      .forEach((n) => add(`${devDir}/${n}`));
  }
  try {
    const listed = await Promise.race([
      SerialPort.list(),
      new Promise<never[]>((r) => setTimeout(() => r([]), 1000)),
    ]);
    listed.forEach((p) => add(p.path));
  } catch {
    // udevadm missing: the scan above stands.
  }
  return out;
}
