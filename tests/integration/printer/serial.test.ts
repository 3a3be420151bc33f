import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPrinterEmulator, type PrinterEmulator } from '../../emulators/printer.js';
import {
  createPrinter,
  parseEscPos,
  PrinterUnavailableError,
  rasters,
  textLines,
  type QueuedPrinter,
} from '../../../src/hardware/printer/index.js';
import { sampleReceipt } from '../../unit/printer/fixtures.js';
import { decodeQrJsqr } from '../../unit/printer/qr-decode.js';
import { renderReceiptPng } from '../../../src/hardware/printer/render.js';
import { ptyPair } from './pty.js';

let dir: string;
let pair: { close(): Promise<void> };
let emu: PrinterEmulator;
let far: SerialPort;
let printer: QueuedPrinter;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-serial-'));
  pair = await ptyPair(path.join(dir, 'pad'), path.join(dir, 'printer'));
  emu = await startPrinterEmulator();
  far = new SerialPort({ path: path.join(dir, 'printer'), baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => far.open((e) => (e ? reject(e) : resolve())));
  emu.attach(far);
  printer = createPrinter({
    kind: 'serial',
    path: path.join(dir, 'pad'),
    baudRate: 9600,
    profile: { paperWidthMm: 58, qr: 'raster' },
    statusTimeoutMs: 500,
    pollIntervalMs: 0,
  });
});
afterEach(async () => {
  await printer.stop();
  if (far.isOpen) await new Promise<void>((r) => far.close(() => r()));
  await emu.close();
  await pair.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('serial printer over a socat pty pair', () => {
  it('prints a 58 mm raster-QR receipt; the far end gets parseable GB18030 and a QR that decodes', async () => {
    await printer.start();
    expect(printer.status().state).toBe('ok');
    const receipt = sampleReceipt();
    const { bytes } = await printer.print(receipt);
    const printed = emu.printed();
    expect(printed.length).toBe(bytes);
    const parsed = parseEscPos(printed);
    expect(parsed.errors).toEqual([]);
    expect(textLines(parsed)).toContain('工作人员：王晓燕（工号 T0107）');
    expect(rasters(parsed)).toHaveLength(1);
    expect(decodeQrJsqr(renderReceiptPng(parsed, 384))).toBe(receipt.qrUrl);
  });

  it('paper out and cover open come through DLE EOT over the wire', async () => {
    emu.setState({ paperOut: true });
    await printer.start();
    await expect(printer.print(sampleReceipt())).rejects.toBeInstanceOf(PrinterUnavailableError);
    expect(printer.status().state).toBe('paper_out');
    emu.setState({ paperOut: false, coverOpen: true });
    expect((await printer.refreshStatus()).state).toBe('cover_open');
  });

  it('a port that does not exist is absent', async () => {
    const p = createPrinter({
      kind: 'serial',
      path: path.join(dir, 'nope'),
      baudRate: 9600,
      profile: { paperWidthMm: 58 },
      pollIntervalMs: 0,
    });
    await p.start();
    expect(p.status()).toMatchObject({ state: 'absent', detail: expect.stringContaining('cannot open') });
    await p.stop();
  });
});
