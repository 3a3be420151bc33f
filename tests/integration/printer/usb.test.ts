import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPrinterEmulator, type PrinterEmulator } from '../../emulators/printer.js';
import {
  createPrinter,
  parseEscPos,
  PrinterUnavailableError,
  qrCodes,
  textLines,
} from '../../../src/hardware/printer/index.js';
import { sampleReceipt } from '../../unit/printer/fixtures.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-usb-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('USB printer device file', () => {
  it('writes the job to the device file (a plain file standing in for /dev/usb/lp0, no status channel)', async () => {
    const dev = path.join(dir, 'lp0');
    fs.writeFileSync(dev, '');
    const printer = createPrinter({
      kind: 'usb',
      path: dev,
      profile: { paperWidthMm: 80, qr: 'native' },
      statusQuery: false,
      pollIntervalMs: 0,
    });
    await printer.start();
    expect(printer.status().state).toBe('ok');
    const receipt = sampleReceipt({ copy: true });
    const { bytes } = await printer.print(receipt);
    await printer.print(sampleReceipt({ serviceNumber: 3 }));
    await printer.stop();
    const parsed = parseEscPos(fs.readFileSync(dev));
    expect(parsed.errors).toEqual([]);
    expect(fs.statSync(dev).size).toBeGreaterThan(bytes); // appended, not overwritten
    expect(textLines(parsed)).toContain('【补打】');
    expect(qrCodes(parsed).map((q) => q.data)).toEqual([receipt.qrUrl, expect.stringContaining('&s=3&')]);
  });

  it('asks DLE EOT through the device file when it can answer (a pty bridged to the emulator)', async () => {
    const emu: PrinterEmulator = await startPrinterEmulator();
    const dev = path.join(dir, 'lp1');
    const bridge = await emu.ptyBridge(dev);
    const printer = createPrinter({
      kind: 'usb',
      path: dev,
      profile: { paperWidthMm: 58, qr: 'native' },
      statusTimeoutMs: 500,
      pollIntervalMs: 0,
    });
    try {
      await printer.start();
      expect(printer.status().state).toBe('ok');
      emu.clear();
      const { bytes } = await printer.print(sampleReceipt());
      await new Promise((r) => setTimeout(r, 100));
      expect(emu.printed().length).toBe(bytes);
      expect(emu.statusRequests()).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
      emu.setState({ paperOut: true });
      expect((await printer.refreshStatus()).state).toBe('paper_out');
      await expect(printer.print(sampleReceipt())).rejects.toBeInstanceOf(PrinterUnavailableError);
    } finally {
      await printer.stop();
      await bridge.close();
      await emu.close();
    }
  });

  it('a missing device file is absent', async () => {
    const printer = createPrinter({
      kind: 'usb',
      path: path.join(dir, 'lp9'),
      profile: { paperWidthMm: 58 },
      pollIntervalMs: 0,
    });
    await printer.start();
    expect(printer.status()).toMatchObject({ state: 'absent', detail: expect.stringContaining('ENOENT') });
    await printer.stop();
  });
});
