import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  charColumns,
  gb18030,
  gsParenK,
  nativeQr,
  qrBitmap,
  rasterImage,
  textColumns,
  wrapColumns,
} from '../../../src/hardware/printer/escpos.js';

/** The GS ( k segments of a byte stream, each cut out by its own pL/pH. */
function gsParenKSegments(b: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 5 <= b.length; i++) {
    if (b[i] === 0x1d && b[i + 1] === 0x28 && b[i + 2] === 0x6b) {
      const len = b[i + 3]! | (b[i + 4]! << 8);
      out.push(Buffer.from(b.subarray(i, i + 5 + len)).toString('hex'));
      i += 4 + len;
    }
  }
  return out;
}

describe('ESC/POS commands', () => {
  it('native QR is byte-identical to receipt-printer-encoder (the oracle) for short and long data', () => {
    for (const data of [
      'https://hcp.example.gov.cn/e?p=1&s=1&d=P&t=x.1',
      'https://x.cn/' + 'a'.repeat(300),
    ]) {
      const ours = gsParenKSegments(nativeQr(data, 6, 'M'));
      const oracle = gsParenKSegments(
        new ReceiptPrinterEncoder({ language: 'esc-pos' })
          .qrcode(data, { model: 2, size: 6, errorlevel: 'm' })
          .encode(),
      );
      expect(ours).toHaveLength(5);
      expect(ours).toEqual(oracle);
    }
  });

  it('computes pL/pH as parameter count + 2, little endian', () => {
    const data = 'x'.repeat(300);
    const store = gsParenK(0x31, 0x50, [0x30, ...Buffer.from(data)]);
    // 300 data bytes + m + cn + fn = 303 = 0x012f
    expect([...store.subarray(0, 7)]).toEqual([0x1d, 0x28, 0x6b, 0x2f, 0x01, 0x31, 0x50]);
    expect(store.length).toBe(5 + 303);
  });

  it('encodes Chinese as GB18030 and counts display columns like the printer', () => {
    expect(gb18030('办件回执').toString('hex')).toBe('b0ecbcfebbd8d6b4');
    expect(gb18030('￥').length).toBe(2);
    expect(charColumns('A')).toBe(1);
    expect(charColumns('办')).toBe(2);
    expect(charColumns('：')).toBe(2);
    expect(textColumns('窗口：12号')).toBe(10);
  });

  it('wraps by display width without losing text, and keeps closing punctuation off line starts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...'办件回执政务服务ab12 ，。）-'.split('')), { maxLength: 120 }),
        fc.integer({ min: 4, max: 48 }),
        (chars, cols) => {
          const text = chars.join('');
          // Runs of punctuation or a space before it can force a line to start with punctuation.
          fc.pre(!/[，。）]{2}|^[，。）]| [，。）]/.test(text));
          const lines = wrapColumns(text, cols);
          for (const l of lines) expect(textColumns(l)).toBeLessThanOrEqual(cols);
          for (const l of lines.slice(1)) expect('，。）'.includes(l[0] ?? '')).toBe(false);
          expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
        },
      ),
      { numRuns: 300 },
    );
    expect(wrapColumns('事项名称很长很长的一个事项（含附件）', 16)).toEqual([
      '事项名称很长很长',
      '的一个事项（含附',
      '件）',
    ]);
  });

  it('raster image header carries width in bytes and height in rows', () => {
    const b = qrBitmap('hello', 4);
    const r = rasterImage(b);
    expect([...r.subarray(0, 4)]).toEqual([0x1d, 0x76, 0x30, 0x00]);
    expect(r[4]! | (r[5]! << 8)).toBe(b.widthDots / 8);
    expect(r[6]! | (r[7]! << 8)).toBe(b.height);
    expect(r.length).toBe(8 + (b.widthDots / 8) * b.height);
    expect(b.height).toBe(21 * 4); // version 1 QR: 21 modules
  });
});
