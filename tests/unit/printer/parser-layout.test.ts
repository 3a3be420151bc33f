import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qrMatrix, textColumns } from '../../../src/hardware/printer/escpos.js';
import {
  buildReceipt,
  buildTestPage,
  geometry,
  parseEscPos,
  qrCodes,
  rasters,
  RECEIPT_TEXT,
  textLines,
  type PrinterProfile,
} from '../../../src/hardware/printer/index.js';
import { sampleReceipt } from './fixtures.js';

const profiles: PrinterProfile[] = [58, 80].flatMap((w) =>
  (['native', 'raster'] as const).map((qr) => ({
    paperWidthMm: w as 58 | 80,
    qr,
    codepage: 'gb18030' as const,
  })),
);

describe.each(profiles)('receipt $paperWidthMm mm, QR $qr', (profile) => {
  const receipt = sampleReceipt();
  const bytes = buildReceipt(receipt, profile);
  const parsed = parseEscPos(bytes);
  const lines = textLines(parsed);
  const { columns } = geometry(profile);

  it('parses back without errors, in Chinese mode', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.chineseMode).toBe(true);
    expect([...bytes.subarray(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]); // ESC @, FS &
  });

  it('carries every field as GB18030 text', () => {
    const all = lines.join('\n');
    for (const s of [
      '办件回执',
      receipt.hallName,
      '窗口：12号窗口',
      '王晓燕',
      '工号 T0107',
      '办件编号：370900-2026-000123',
      '个体工商户设立登记',
      '第2次',
      '2026-11-28 10:15:30',
      RECEIPT_TEXT.scanHint,
      '12345',
    ]) {
      expect(all).toContain(s);
    }
    expect(all).not.toContain('补打');
    expect(all).not.toContain('?');
  });

  it('keeps every line within the paper width', () => {
    for (const e of parsed.elements) {
      if (e.kind !== 'text') continue;
      const cols = [...e.text].reduce((n, c) => n + (c.charCodeAt(0) < 0x80 ? 1 : 2), 0);
      expect(cols * e.widthMul, e.text).toBeLessThanOrEqual(columns);
    }
  });

  it('has exactly one QR in the profile form, fitting the paper, and a cut', () => {
    if (profile.qr === 'native') {
      const qrs = qrCodes(parsed);
      expect(qrs).toHaveLength(1);
      expect(qrs[0]).toMatchObject({ data: receipt.qrUrl, model: 2, ec: 'M', align: 'center' });
      expect(rasters(parsed)).toHaveLength(0);
      expect(qrMatrix(receipt.qrUrl).size * qrs[0]!.moduleDots).toBeLessThanOrEqual(geometry(profile).dots);
    } else {
      const r = rasters(parsed);
      expect(r).toHaveLength(1);
      expect(qrCodes(parsed)).toHaveLength(0);
      expect(r[0]!.widthDots).toBeLessThanOrEqual(geometry(profile).dots);
    }
    expect(parsed.elements.at(-1)).toMatchObject({ kind: 'cut', partial: true });
  });

  it('marks a reprint 补打, at the top and beside the time', () => {
    const copy = textLines(parseEscPos(buildReceipt({ ...receipt, copy: true }, profile)));
    expect(copy.filter((l) => l.includes('补打'))).toHaveLength(2);
    expect(copy.indexOf(RECEIPT_TEXT.copyMark)).toBeLessThan(copy.findIndex((l) => l.startsWith('窗口')));
  });

  it('prints a test page with Chinese text and a QR', () => {
    const t = parseEscPos(buildTestPage(profile, '2026-11-28 10:00:00'));
    expect(t.errors).toEqual([]);
    expect(textLines(t).join('\n')).toContain('打印测试页');
    expect(qrCodes(t).length + rasters(t).length).toBe(1);
  });

  it('names the pad on the test page, in Chinese and English, within the paper width', () => {
    const t = parseEscPos(
      buildTestPage(profile, '2026-11-28 10:00:00', { deviceId: 'PAD-NEW-12', windowNo: '12' }),
    );
    expect(t.errors).toEqual([]);
    const text = textLines(t).join('\n');
    expect(text).toContain('Printer test page');
    expect(text).toContain('设备号 Device: PAD-NEW-12');
    expect(text).toContain('窗口 Window: 12');
    expect(textLines(t).every((l) => textColumns(l) <= geometry(profile).columns)).toBe(true);
    expect(qrCodes(t).length + rasters(t).length).toBe(1);
  });
});

describe('parser strictness', () => {
  const good = buildReceipt(sampleReceipt(), { paperWidthMm: 58, qr: 'native', codepage: 'gb18030' });
  const storeAt = good.indexOf(Buffer.from([0x1d, 0x28, 0x6b]), good.indexOf(Buffer.from([0x31, 0x50])) - 8);

  it('reports a GS ( k with a wrong pL/pH', () => {
    const modelAt = good.indexOf(Buffer.from([0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41]));
    const bad = Buffer.from(good);
    bad[modelAt + 3] = 0x03; // model command claims 3 parameter bytes instead of 4
    expect(parseEscPos(bad).errors.join()).toMatch(/GS \( k|unknown|QR/);
  });

  it('reports QR store data cut short', () => {
    expect(storeAt).toBeGreaterThan(0);
    const truncated = good.subarray(0, storeAt + 20);
    expect(parseEscPos(truncated).errors.length).toBeGreaterThan(0);
  });

  it('reports Chinese bytes outside Chinese mode', () => {
    const noFs = Buffer.concat([Buffer.from([0x1b, 0x40]), Buffer.from('b0ecbcfe0a', 'hex')]);
    expect(parseEscPos(noFs).errors[0]).toMatch(/outside Chinese mode/);
  });

  it('never throws on arbitrary or truncated input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        const p = parseEscPos(b);
        expect(Array.isArray(p.elements)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(good.length - 1), (n) => {
        const p = parseEscPos(good.subarray(0, n));
        expect(Array.isArray(p.errors)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
