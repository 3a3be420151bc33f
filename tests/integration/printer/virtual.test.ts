import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReceiptQrUrl, verifyReceiptToken } from '../../../src/domain/receipt-token.js';
import {
  createPrinter,
  parseEscPos,
  PrinterUnavailableError,
  textLines,
  VirtualDevice,
  type PrinterStatus,
} from '../../../src/hardware/printer/index.js';
import { DEVICE_SECRET, sampleReceipt } from '../../unit/printer/fixtures.js';
import { decodeQrJsqr } from '../../unit/printer/qr-decode.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hcp-receipts-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('virtual printer', () => {
  it.each([58, 80] as const)(
    '%i mm: writes .bin and .png per job; the PNG QR scans to a token that verifies',
    async (w) => {
      const outputDir = tmp();
      const printer = createPrinter({
        kind: 'virtual',
        outputDir,
        profile: { paperWidthMm: w, qr: 'native' },
      });
      await printer.start();
      expect(printer.status().state).toBe('ok');
      const receipt = sampleReceipt({ copy: true });
      const { jobId, bytes } = await printer.print(receipt);
      const files = fs
        .readdirSync(outputDir)
        .filter((f) => f.includes(jobId))
        .sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^j\d{9}-\d{8}-\d{6}-.+\.bin$/);
      const bin = fs.readFileSync(path.join(outputDir, files[0]!));
      expect(bin.length).toBe(bytes);
      expect(textLines(parseEscPos(bin))).toContain('【补打】');
      const scanned = decodeQrJsqr(fs.readFileSync(path.join(outputDir, files[1]!)));
      const p = parseReceiptQrUrl(scanned ?? '');
      expect(p).toMatchObject({ projectNo: receipt.projectNo, serviceNumber: receipt.serviceNumber });
      expect(verifyReceiptToken({ ...p!, deviceSecretB64: DEVICE_SECRET }).ok).toBe(true);
      expect(printer.status().lastJob).toMatchObject({ id: jobId, ok: true });
      await printer.stop();
    },
  );

  it('a simulated paper-out rejects print with the status, and recovers when refilled', async () => {
    const outputDir = tmp();
    const printer = createPrinter({
      kind: 'virtual',
      outputDir,
      profile: { paperWidthMm: 58 },
      simulateState: 'paper_out',
    });
    const seen: PrinterStatus[] = [];
    printer.onStatus((s) => seen.push(s));
    await printer.start();
    const err = await printer.print(sampleReceipt()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrinterUnavailableError);
    expect((err as PrinterUnavailableError).status).toMatchObject({ state: 'paper_out', paperOut: true });
    expect(fs.readdirSync(outputDir)).toHaveLength(0);
    (printer.device as VirtualDevice).setSimulatedState('ok');
    await printer.refreshStatus();
    await printer.printTestPage();
    expect(fs.readdirSync(outputDir).filter((f) => f.endsWith('.png'))).toHaveLength(1);
    expect(seen.map((s) => s.state)).toEqual(expect.arrayContaining(['paper_out', 'ok']));
    await printer.stop();
  });

  it('refuses invalid receipt data before queueing (zod)', async () => {
    const printer = createPrinter({ kind: 'virtual', outputDir: tmp(), profile: { paperWidthMm: 80 } });
    await printer.start();
    await expect(printer.print({ ...sampleReceipt(), time: '2026/11/28' })).rejects.toThrow(/yyyy-MM-dd/);
    await expect(printer.print({ ...sampleReceipt(), qrUrl: 'not a url' })).rejects.toThrow();
    await printer.stop();
  });
});
