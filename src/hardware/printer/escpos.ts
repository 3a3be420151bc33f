/**
 * A small ESC/POS byte builder.
 *
 * Why our own and not a library (docs/decisions.md, decision 29):
 * - `@point-of-sale/receipt-printer-encoder` emits a correct native QR (`GS ( k`) but has no
 *   Chinese codepage (Chinese silently becomes `?`), and its layout counts one column per UTF-16
 *   unit while the printer gives a Chinese character two. Feeding it raw GB18030 would bypass its
 *   line layout anyway, leaving only a handful of fixed command bytes to gain.
 * - `receiptline` gets GB18030 right but always rasterises the QR (≈ 8 KB, ≈ 8 s at 9600 baud).
 * So the commands live here, and tests/unit/printer checks our `GS ( k` bytes against
 * receipt-printer-encoder's (a devDependency used as a test oracle).
 */
import iconv from 'iconv-lite';
import QRCode from 'qrcode';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export type Align = 'left' | 'center' | 'right';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';
const EC_BYTE: Record<QrErrorLevel, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** GB18030 bytes of a string: what the printer gets in Chinese mode (FS &). */
export function gb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}

/**
 * Columns a character takes on the printer: single-byte (ASCII) characters are half width, every
 * multi-byte GB18030 character full width. Derived from the encoding so it matches the printer.
 */
export function charColumns(ch: string): 1 | 2 {
  return gb18030(ch).length === 1 ? 1 : 2;
}

export function textColumns(text: string): number {
  let n = 0;
  for (const ch of text) n += charColumns(ch);
  return n;
}

const NO_LINE_START = new Set([...'，。、；：！？）」』》】〕’”,.;:!?)]}']);

/** Wrap to `columns` (display width), never splitting a character; breaks after spaces when it can. */
export function wrapColumns(text: string, columns: number): string[] {
  if (columns < 2) throw new Error('columns must be at least 2');
  const out: string[] = [];
  let line = '';
  let width = 0;
  let lastSpace = -1;
  for (const ch of text) {
    const w = charColumns(ch);
    if (width + w > columns) {
      const chars = [...line];
      if (NO_LINE_START.has(ch)) {
        // 避头: closing punctuation never starts a line; carry the characters it closes along,
        // unless that would leave the line empty (then a hard break is all we can do).
        let k = chars.length;
        while (k > 0 && NO_LINE_START.has(chars[k - 1]!)) k--;
        const carried = chars.slice(k - 1).join('') + ch;
        if (k > 1 && textColumns(carried) <= columns) {
          out.push(chars.slice(0, k - 1).join(''));
          line = carried;
          width = textColumns(line);
          lastSpace = -1;
          continue;
        }
      }
      if (ch !== ' ' && lastSpace > 0 && lastSpace < line.length - 1 && /^[\x21-\x7e]$/.test(ch)) {
        // Keep an ASCII word (a case number, a URL) together when it started after a space.
        out.push(line.slice(0, lastSpace));
        line = line.slice(lastSpace + 1);
      } else {
        out.push(line);
        line = '';
      }
      width = textColumns(line);
      lastSpace = -1;
      if (ch === ' ' && line === '') continue;
    }
    if (ch === ' ') lastSpace = line.length;
    line += ch;
    width += w;
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/** `GS ( k` with its parameter count in pL pH (little endian), as the printer parses it. */
export function gsParenK(cn: number, fn: number, params: ArrayLike<number>): Buffer {
  const len = params.length + 2;
  if (len > 0xffff) throw new Error(`GS ( k payload too long: ${len}`);
  return Buffer.from([GS, 0x28, 0x6b, len & 0xff, len >> 8, cn, fn, ...Array.from(params)]);
}

/** The five native QR commands: model 2, module size, error correction, store, print. */
export function nativeQr(data: string, moduleDots: number, ec: QrErrorLevel = 'M'): Buffer {
  if (moduleDots < 1 || moduleDots > 16) throw new Error('QR module size must be 1..16');
  const bytes = Buffer.from(data, 'utf8');
  if (bytes.length > 7089) throw new Error('QR data too long');
  return Buffer.concat([
    gsParenK(0x31, 0x41, [0x32, 0x00]), // model 2
    gsParenK(0x31, 0x43, [moduleDots]),
    gsParenK(0x31, 0x45, [EC_BYTE[ec]]),
    gsParenK(0x31, 0x50, [0x30, ...bytes]), // store
    gsParenK(0x31, 0x51, [0x30]), // print
  ]);
}

/** A 1-bit image, rows packed MSB first, 1 = black; widthDots is a multiple of 8. */
export interface Bitmap {
  widthDots: number;
  height: number;
  data: Uint8Array;
}

export function qrMatrix(
  data: string,
  ec: QrErrorLevel = 'M',
): { size: number; get(row: number, col: number): boolean } {
  const qr = QRCode.create(data, { errorCorrectionLevel: ec });
  return { size: qr.modules.size, get: (r, c) => Boolean(qr.modules.get(r, c)) };
}

/**
 * The QR as a bitmap, `moduleDots` per module. No quiet zone by default: the blank paper around
 * it is one (the layout leaves blank lines above and below), and every white row costs bytes.
 */
export function qrBitmap(data: string, moduleDots: number, ec: QrErrorLevel = 'M', quietModules = 0): Bitmap {
  const m = qrMatrix(data, ec);
  const quiet = quietModules * moduleDots;
  const widthDots = Math.ceil((m.size * moduleDots + 2 * quiet) / 8) * 8;
  const left = Math.floor((widthDots - m.size * moduleDots) / 2);
  const height = m.size * moduleDots + 2 * quiet;
  const rowBytes = widthDots / 8;
  const out = new Uint8Array(rowBytes * height);
  for (let y = quiet; y < height - quiet; y++) {
    const r = Math.floor((y - quiet) / moduleDots);
    for (let c = 0; c < m.size; c++) {
      if (!m.get(r, c)) continue;
      for (let dx = 0; dx < moduleDots; dx++) {
        const x = left + c * moduleDots + dx;
        out[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
      }
    }
  }
  return { widthDots, height, data: out };
}

/** `GS v 0 m xL xH yL yH d…` (raster bit image, normal density). */
export function rasterImage(b: Bitmap): Buffer {
  if (b.widthDots % 8 !== 0) throw new Error('raster width must be a multiple of 8');
  const x = b.widthDots / 8;
  if (b.data.length !== x * b.height) throw new Error('raster data size does not match');
  return Buffer.concat([
    Buffer.from([GS, 0x76, 0x30, 0x00, x & 0xff, x >> 8, b.height & 0xff, b.height >> 8]),
    b.data,
  ]);
}

/** Builds a job; every text goes out as GB18030 in Chinese mode. */
export class EscPos {
  private parts: Buffer[] = [];

  private push(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  /** ESC @ then FS & (Chinese character mode; the printer's default code table is GB18030/GBK). */
  init(): this {
    return this.push(ESC, 0x40, FS, 0x26);
  }
  align(a: Align): this {
    return this.push(ESC, 0x61, a === 'left' ? 0 : a === 'center' ? 1 : 2);
  }
  bold(on: boolean): this {
    return this.push(ESC, 0x45, on ? 1 : 0);
  }
  /** GS ! — character size multipliers 1..8 (applies to Chinese characters too). */
  size(width: number, height: number): this {
    if (width < 1 || width > 8 || height < 1 || height > 8) throw new Error('size must be 1..8');
    return this.push(GS, 0x21, ((width - 1) << 4) | (height - 1));
  }
  /** One printed line; the caller has wrapped it. Control characters are refused, not printed. */
  line(text = ''): this {
    if (/[\x00-\x1f\x7f]/.test(text)) throw new Error('control character in receipt text');
    this.parts.push(gb18030(text), Buffer.from([LF]));
    return this;
  }
  feed(lines: number): this {
    return this.push(ESC, 0x64, Math.max(0, Math.min(255, lines)));
  }
  qrNative(data: string, moduleDots: number, ec: QrErrorLevel = 'M'): this {
    this.parts.push(nativeQr(data, moduleDots, ec));
    return this;
  }
  raster(b: Bitmap): this {
    this.parts.push(rasterImage(b));
    return this;
  }
  /** GS V 66 n: feed n dots past the cutter, then a partial cut. */
  cut(feedDots = 80): this {
    return this.push(GS, 0x56, 0x42, Math.max(0, Math.min(255, feedDots)));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** DLE EOT n: real-time status request (1 printer, 2 offline cause, 3 error cause, 4 paper sensor). */
export function statusRequest(n: 1 | 2 | 3 | 4): Buffer {
  return Buffer.from([DLE, EOT, n]);
}
