import { describe, expect, it } from 'vitest';
import { parseReceiptQrUrl, verifyReceiptToken } from '../../../src/domain/receipt-token.js';
import {
  buildReceipt,
  findCjkFont,
  geometry,
  parseEscPos,
  renderReceiptPng,
  type PrinterProfile,
} from '../../../src/hardware/printer/index.js';
import { PNG } from 'pngjs';
import { DEVICE_SECRET, sampleReceipt } from './fixtures.js';
import { decodeQrJsqr, decodeQrZbar, hasZbar } from './qr-decode.js';

const profiles: PrinterProfile[] = [58, 80].flatMap((w) =>
  (['native', 'raster'] as const).map((qr) => ({
    paperWidthMm: w as 58 | 80,
    qr,
    codepage: 'gb18030' as const,
  })),
);

function verifyScanned(text: string | null) {
  expect(text).not.toBeNull();
  const p = parseReceiptQrUrl(text!);
  expect(p).not.toBeNull();
  return verifyReceiptToken({
    projectNo: p!.projectNo,
    serviceNumber: p!.serviceNumber,
    deviceId: p!.deviceId,
    deviceSecretB64: DEVICE_SECRET,
    token: p!.token,
  });
}

describe('rendered receipt', () => {
  it('finds a CJK font on this machine (fonts-wqy-microhei)', () => {
    expect(findCjkFont()?.file).toMatch(/\.(ttc|ttf|otf)$/);
  });

  it.each(profiles)(
    '$paperWidthMm mm / $qr: the QR in the PNG decodes (jsqr, zbarimg) to a URL with a valid §6 token',
    (profile) => {
      const receipt = sampleReceipt();
      const png = renderReceiptPng(parseEscPos(buildReceipt(receipt, profile)), geometry(profile).dots);
      const img = PNG.sync.read(png);
      expect(img.width).toBe(geometry(profile).dots + 32);
      const scanned = decodeQrJsqr(png);
      expect(scanned).toBe(receipt.qrUrl);
      expect(verifyScanned(scanned)).toEqual({ ok: true, issuedEpochSeconds: 1764300000 });
      if (hasZbar()) expect(decodeQrZbar(png)).toBe(receipt.qrUrl);
    },
  );

  it('a receipt for another service does not verify with this one’s token', () => {
    const a = sampleReceipt({ serviceNumber: 1 });
    const forged = a.qrUrl.replace('&s=1&', '&s=3&');
    expect(verifyScanned(forged)).toMatchObject({ ok: false });
  });

  it('draws Chinese glyphs, not nothing: the text area has ink', () => {
    const profile: PrinterProfile = { paperWidthMm: 58, qr: 'native', codepage: 'gb18030' };
    const png = PNG.sync.read(renderReceiptPng(parseEscPos(buildReceipt(sampleReceipt(), profile)), 384));
    let dark = 0;
    for (let y = 16; y < 70; y++)
      for (let x = 0; x < png.width; x++) if (png.data[(y * png.width + x) * 4]! < 128) dark++;
    expect(dark).toBeGreaterThan(500); // the 办件回执 title at double size
  });

  it('draws distinct glyphs (a missing font draws the same box for every character)', () => {
    const parsed = parseEscPos(
      Buffer.concat([Buffer.from([0x1b, 0x40, 0x1c, 0x26]), Buffer.from('b0ecbcfe0a', 'hex')]),
    ); // 办件
    const png = PNG.sync.read(renderReceiptPng(parsed, 384));
    const cell = (x0: number) => {
      const bits: number[] = [];
      for (let y = 16; y < 40; y++)
        for (let x = x0; x < x0 + 24; x++) bits.push(png.data[(y * png.width + x) * 4]! < 128 ? 1 : 0);
      return bits;
    };
    const a = cell(16);
    const b = cell(40);
    expect(a.reduce((n, v) => n + v, 0)).toBeGreaterThan(30);
    expect(a).not.toEqual(b);
  });
});
