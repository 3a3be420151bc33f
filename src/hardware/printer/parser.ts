/**
 * Parses an ESC/POS byte stream back into what a printer would do with it. Used by the tests and
 * by the virtual printer's renderer. Strict: any command it does not know, and any `GS ( k` whose
 * pL/pH disagree with its function, is an error — a lenient parser would hide encoder bugs.
 */
import iconv from 'iconv-lite';
import type { Align, Bitmap } from './escpos.js';

export interface TextStyle {
  align: Align;
  bold: boolean;
  widthMul: number;
  heightMul: number;
}

export type EscPosElement =
  | ({ kind: 'text'; text: string } & TextStyle)
  | { kind: 'feed'; lines: number }
  | { kind: 'qr'; data: string; model: number; moduleDots: number; ec: 'L' | 'M' | 'Q' | 'H'; align: Align }
  | ({ kind: 'raster'; align: Align } & Bitmap)
  | { kind: 'cut'; partial: boolean; feedDots: number }
  | { kind: 'status_request'; n: number };

export interface ParsedEscPos {
  elements: EscPosElement[];
  errors: string[];
  /** FS & seen: text decoded as GB18030; otherwise bytes ≥ 0x80 are an error for us. */
  chineseMode: boolean;
}

const EC_LEVEL = { 0x30: 'L', 0x31: 'M', 0x32: 'Q', 0x33: 'H' } as const;

export function parseEscPos(input: Uint8Array): ParsedEscPos {
  const b = input;
  const elements: EscPosElement[] = [];
  const errors: string[] = [];
  const style: TextStyle = { align: 'left', bold: false, widthMul: 1, heightMul: 1 };
  let chinese = false;
  let chineseEver = false;
  let text: number[] = [];
  let textStyle: TextStyle | null = null;
  const qr = { model: 2, moduleDots: 3, ec: 'L' as 'L' | 'M' | 'Q' | 'H', data: null as Buffer | null };

  const flushText = (force: boolean) => {
    if (text.length === 0 && !force) return;
    const s = textStyle ?? style;
    elements.push({ kind: 'text', text: iconv.decode(Buffer.from(text), 'gb18030'), ...s });
    text = [];
    textStyle = null;
  };
  const need = (i: number, n: number, what: string): boolean => {
    if (i + n <= b.length) return true;
    errors.push(`@${i}: truncated ${what}`);
    return false;
  };

  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x0a) {
      flushText(true);
      i++;
      continue;
    }
    if (c >= 0x20 && c !== 0x7f) {
      if (c >= 0x80) {
        if (!chinese) {
          errors.push(`@${i}: byte 0x${c.toString(16)} outside Chinese mode`);
          i++;
          continue;
        }
        // GB18030: 2 bytes (lead 81–FE, trail 40–FE) or 4 bytes (lead, 30–39, 81–FE, 30–39).
        const t = b[i + 1];
        const n = t !== undefined && t >= 0x30 && t <= 0x39 ? 4 : 2;
        if (!need(i, n, 'GB18030 character')) break;
        if (text.length === 0) textStyle = { ...style };
        for (let k = 0; k < n; k++) text.push(b[i + k]!);
        i += n;
        continue;
      }
      if (text.length === 0) textStyle = { ...style };
      text.push(c);
      i++;
      continue;
    }
    // A command ends any pending text only where the printer would: at LF. Style changes inside
    // a line are rare on receipts; we record the style at the line's first character.
    if (c === 0x1b) {
      if (!need(i, 2, 'ESC')) break;
      const f = b[i + 1]!;
      if (f === 0x40) {
        Object.assign(style, { align: 'left', bold: false, widthMul: 1, heightMul: 1 });
        chinese = false;
        i += 2;
      } else if (
        f === 0x61 ||
        f === 0x45 ||
        f === 0x64 ||
        f === 0x4a ||
        f === 0x21 ||
        f === 0x74 ||
        f === 0x33
      ) {
        if (!need(i, 3, 'ESC command')) break;
        const n = b[i + 2]!;
        if (f === 0x61) style.align = n % 0x30 === 0 ? 'left' : n % 0x30 === 1 ? 'center' : 'right';
        else if (f === 0x45) style.bold = (n & 1) === 1;
        else if (f === 0x64) {
          flushText(false);
          elements.push({ kind: 'feed', lines: n });
        } else if (f === 0x4a) {
          flushText(false);
          elements.push({ kind: 'feed', lines: n / 24 });
        } else if (f === 0x21) {
          style.bold = (n & 0x08) !== 0;
          style.widthMul = n & 0x20 ? 2 : 1;
          style.heightMul = n & 0x10 ? 2 : 1;
        }
        i += 3;
      } else if (f === 0x32) {
        i += 2;
      } else {
        errors.push(`@${i}: unknown ESC 0x${f.toString(16)}`);
        i += 2;
      }
      continue;
    }
    if (c === 0x1c) {
      if (!need(i, 2, 'FS')) break;
      const f = b[i + 1]!;
      if (f === 0x26) {
        chinese = true;
        chineseEver = true;
        i += 2;
      } else if (f === 0x2e) {
        chinese = false;
        i += 2;
      } else if (f === 0x21) {
        if (!need(i, 3, 'FS !')) break;
        i += 3;
      } else {
        errors.push(`@${i}: unknown FS 0x${f.toString(16)}`);
        i += 2;
      }
      continue;
    }
    if (c === 0x10) {
      if (!need(i, 3, 'DLE')) break;
      if (b[i + 1] === 0x04) elements.push({ kind: 'status_request', n: b[i + 2]! });
      else errors.push(`@${i}: unknown DLE 0x${b[i + 1]!.toString(16)}`);
      i += 3;
      continue;
    }
    if (c === 0x1d) {
      if (!need(i, 2, 'GS')) break;
      const f = b[i + 1]!;
      if (f === 0x21) {
        if (!need(i, 3, 'GS !')) break;
        const n = b[i + 2]!;
        style.widthMul = (n >> 4) + 1;
        style.heightMul = (n & 0x0f) + 1;
        i += 3;
      } else if (f === 0x56) {
        if (!need(i, 3, 'GS V')) break;
        const m = b[i + 2]!;
        flushText(false);
        if (m === 0x41 || m === 0x42) {
          if (!need(i, 4, 'GS V')) break;
          elements.push({ kind: 'cut', partial: m === 0x42, feedDots: b[i + 3]! });
          i += 4;
        } else {
          elements.push({ kind: 'cut', partial: m === 0x01 || m === 0x31, feedDots: 0 });
          i += 3;
        }
      } else if (f === 0x76) {
        if (!need(i, 8, 'GS v 0 header')) break;
        if (b[i + 2] !== 0x30) errors.push(`@${i}: GS v with function 0x${b[i + 2]!.toString(16)}`);
        const x = b[i + 4]! | (b[i + 5]! << 8);
        const y = b[i + 6]! | (b[i + 7]! << 8);
        if (!need(i + 8, x * y, 'GS v 0 data')) break;
        flushText(false);
        elements.push({
          kind: 'raster',
          widthDots: x * 8,
          height: y,
          data: b.slice(i + 8, i + 8 + x * y),
          align: style.align,
        });
        i += 8 + x * y;
      } else if (f === 0x28 && b[i + 2] === 0x6b) {
        if (!need(i, 5, 'GS ( k header')) break;
        const len = b[i + 3]! | (b[i + 4]! << 8);
        if (!need(i + 5, len, 'GS ( k parameters')) break;
        const p = b.subarray(i + 5, i + 5 + len);
        i += 5 + len;
        const at = i - 5 - len;
        if (len < 2) {
          errors.push(`@${at}: GS ( k with pL/pH ${len}`);
          continue;
        }
        const [cn, fn] = [p[0]!, p[1]!];
        if (cn !== 0x31) {
          errors.push(`@${at}: GS ( k cn 0x${cn.toString(16)} is not QR`);
          continue;
        }
        const wantLen = (n: number) => {
          if (len === n) return true;
          errors.push(`@${at}: GS ( k fn 0x${fn.toString(16)} pL/pH says ${len}, should be ${n}`);
          return false;
        };
        if (fn === 0x41) {
          if (wantLen(4)) qr.model = p[2]! - 0x30;
          if (p[2] !== 0x31 && p[2] !== 0x32 && p[2] !== 0x33)
            errors.push(`@${at}: QR model byte 0x${p[2]?.toString(16)}`);
        } else if (fn === 0x43) {
          if (wantLen(3)) qr.moduleDots = p[2]!;
          if (p[2]! < 1 || p[2]! > 16) errors.push(`@${at}: QR module size ${p[2]}`);
        } else if (fn === 0x45) {
          const ec = EC_LEVEL[p[2]! as keyof typeof EC_LEVEL];
          if (wantLen(3) && ec) qr.ec = ec;
          else if (!ec) errors.push(`@${at}: QR error level byte 0x${p[2]?.toString(16)}`);
        } else if (fn === 0x50) {
          if (p[2] !== 0x30) errors.push(`@${at}: QR store with m=0x${p[2]?.toString(16)}`);
          if (len < 4) errors.push(`@${at}: QR store without data`);
          qr.data = Buffer.from(p.subarray(3));
        } else if (fn === 0x51) {
          if (wantLen(3)) {
            flushText(false);
            if (qr.data === null) errors.push(`@${at}: QR print with no stored data`);
            else {
              elements.push({
                kind: 'qr',
                data: qr.data.toString('utf8'),
                model: qr.model,
                moduleDots: qr.moduleDots,
                ec: qr.ec,
                align: style.align,
              });
            }
          }
        } else {
          errors.push(`@${at}: unknown QR function 0x${fn.toString(16)}`);
        }
      } else {
        errors.push(`@${i}: unknown GS 0x${f.toString(16)}`);
        i += 2;
      }
      continue;
    }
    if (c === 0x0d) {
      i++;
      continue;
    }
    errors.push(`@${i}: control byte 0x${c.toString(16)}`);
    i++;
  }
  if (text.length > 0) errors.push('text without a final LF');
  flushText(false);
  return { elements, errors, chineseMode: chineseEver };
}

/** Just the printed text lines, in order (blank lines included). */
export function textLines(p: ParsedEscPos): string[] {
  return p.elements.flatMap((e) => (e.kind === 'text' ? [e.text] : []));
}

export function qrCodes(p: ParsedEscPos): Extract<EscPosElement, { kind: 'qr' }>[] {
  return p.elements.filter((e): e is Extract<EscPosElement, { kind: 'qr' }> => e.kind === 'qr');
}

export function rasters(p: ParsedEscPos): Extract<EscPosElement, { kind: 'raster' }>[] {
  return p.elements.filter((e): e is Extract<EscPosElement, { kind: 'raster' }> => e.kind === 'raster');
}
