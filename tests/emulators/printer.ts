/**
 * An ESC/POS printer emulator for tests and demos: stores every byte it receives and answers
 * DLE EOT 1–4 from a settable state. Serves TCP (port 9100 style) and any duplex stream, e.g. a
 * serialport on one end of a socat pty pair, or a pty that socat bridges to the TCP port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface EmulatorState {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Offline without a reported cause. */
  offline: boolean;
  /** Autocutter error (recoverable). */
  cutterError: boolean;
  /** Do not answer DLE EOT at all (a printer that is off, or a dumb one). */
  silent: boolean;
}

export const defaultEmulatorState: EmulatorState = {
  paperOut: false,
  paperNearEnd: false,
  coverOpen: false,
  offline: false,
  cutterError: false,
  silent: false,
};

/** The answer byte to DLE EOT n for a state (Epson bit assignments; 0x12 = fixed bits). */
export function statusByte(s: EmulatorState, n: number): number {
  const stopped = s.paperOut || s.coverOpen || s.offline || s.cutterError;
  switch (n) {
    case 1:
      return 0x12 | (stopped ? 0x08 : 0);
    case 2:
      return 0x12 | (s.coverOpen ? 0x04 : 0) | (s.paperOut ? 0x20 : 0) | (s.cutterError ? 0x40 : 0);
    case 3:
      return 0x12 | (s.cutterError ? 0x08 : 0);
    case 4:
      return 0x12 | (s.paperNearEnd || s.paperOut ? 0x0c : 0) | (s.paperOut ? 0x60 : 0);
    default:
      return 0x12;
  }
}

/**
 * Finds DLE EOT requests in a byte stream that may stop anywhere, skipping the payloads of
 * `GS v 0` and `GS ( k` (image or QR bytes may contain 10 04 by chance).
 */
class RequestScanner {
  private buf = Buffer.alloc(0);

  /** Hands over print data and status requests in stream order. */
  push(chunk: Buffer, onRequest: (n: number) => void, onPrintData: (b: Buffer) => void): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    let i = 0;
    let from = 0;
    const b = this.buf;
    while (i < b.length) {
      const c = b[i]!;
      if (c === 0x10) {
        if (i + 3 > b.length) break;
        if (b[i + 1] === 0x04) {
          if (i > from) onPrintData(Buffer.from(b.subarray(from, i)));
          onRequest(b[i + 2]!);
          i += 3;
          from = i;
          continue;
        }
      } else if (c === 0x1d && b[i + 1] === 0x76) {
        if (i + 8 > b.length) break;
        const len = (b[i + 4]! | (b[i + 5]! << 8)) * (b[i + 6]! | (b[i + 7]! << 8));
        if (i + 8 + len > b.length) break;
        i += 8 + len;
        continue;
      } else if (c === 0x1d && b[i + 1] === 0x28) {
        if (i + 5 > b.length) break;
        const len = b[i + 3]! | (b[i + 4]! << 8);
        if (i + 5 + len > b.length) break;
        i += 5 + len;
        continue;
      } else if (c === 0x1d && i + 1 >= b.length) {
        break;
      }
      i++;
    }
    if (i > from) onPrintData(Buffer.from(b.subarray(from, i)));
    this.buf = this.buf.subarray(i);
  }
}

export interface PrinterEmulator {
  readonly host: string;
  readonly port: number;
  state: EmulatorState;
  setState(patch: Partial<EmulatorState>): void;
  /** Everything received, status requests included, in arrival order. */
  received(): Buffer;
  /** Received bytes with the DLE EOT requests taken out: what would be printed. */
  printed(): Buffer;
  statusRequests(): number[];
  /** Change state once this many more print bytes have arrived (paper running out mid-job). */
  setStateAfterBytes(bytes: number, patch: Partial<EmulatorState>): void;
  clear(): void;
  /** Serve a duplex stream (e.g. a SerialPort on a pty) as another connection. */
  attach(stream: Duplex): void;
  /** A pty at `link` that socat connects to this emulator's TCP port; resolves once it exists. */
  ptyBridge(link: string): Promise<{ close(): Promise<void> }>;
  /** Drop every current connection (a printer switched off), keep listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startPrinterEmulator(
  opts: { host?: string; port?: number; state?: Partial<EmulatorState> } = {},
): Promise<PrinterEmulator> {
  const host = opts.host ?? '127.0.0.1';
  let state: EmulatorState = { ...defaultEmulatorState, ...opts.state };
  let received: Buffer[] = [];
  let printed: Buffer[] = [];
  let requests: number[] = [];
  let printedCount = 0;
  const triggers = new Set<{ afterBytes: number; patch: Partial<EmulatorState> }>();
  const streams = new Set<Duplex>();
  const bridges = new Set<ChildProcess>();

  const serve = (stream: Duplex) => {
    streams.add(stream);
    const scanner = new RequestScanner();
    stream.on('data', (chunk: Buffer) => {
      received.push(Buffer.from(chunk));
      scanner.push(
        Buffer.from(chunk),
        (n) => {
          requests.push(n);
          if (!state.silent) stream.write(Buffer.from([statusByte(state, n)]));
        },
        (data) => {
          printed.push(data);
          printedCount += data.length;
          for (const t of [...triggers]) {
            if (printedCount >= t.afterBytes) {
              state = { ...state, ...t.patch };
              triggers.delete(t);
            }
          }
        },
      );
    });
    stream.on('error', () => undefined);
    stream.on('close', () => streams.delete(stream));
  };

  const server = net.createServer((socket) => serve(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host,
    port,
    get state() {
      return state;
    },
    set state(s: EmulatorState) {
      state = s;
    },
    setState(patch) {
      state = { ...state, ...patch };
    },
    received: () => Buffer.concat(received),
    printed: () => Buffer.concat(printed),
    statusRequests: () => [...requests],
    setStateAfterBytes(bytes, patch) {
      triggers.add({ afterBytes: printedCount + bytes, patch });
    },
    clear() {
      received = [];
      printed = [];
      requests = [];
    },
    attach: serve,
    async ptyBridge(link: string) {
      const p = spawn('socat', [`pty,raw,echo=0,link=${link}`, `tcp:${host}:${port}`], { stdio: 'ignore' });
      bridges.add(p);
      const deadline = Date.now() + 5000;
      while (!fs.existsSync(link)) {
        if (Date.now() > deadline || p.exitCode !== null) throw new Error(`socat did not create ${link}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return {
        close: () =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
            bridges.delete(p);
          }),
      };
    },
    dropConnections() {
      for (const s of streams) s.destroy();
    },
    async close() {
      for (const p of bridges) p.kill('SIGTERM');
      for (const s of streams) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
