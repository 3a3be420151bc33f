/**
 * Draws parsed ESC/POS as the paper would look: a PNG at one pixel per printer dot (203 dpi),
 * text on the printer's 12/24-dot character grid, QR codes and raster images dot for dot.
 * SVG → PNG through @resvg/resvg-js with an explicit CJK font file (without one, Chinese renders
 * as boxes), so the picture does not depend on what fontconfig happens to offer.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { charColumns, qrBitmap, type Bitmap } from './escpos.js';
import type { EscPosElement, ParsedEscPos } from './parser.js';

export interface CjkFont {
  file: string;
  family: string;
}

const KNOWN_FONTS: CjkFont[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYi Micro Hei' },
  { file: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYi Zen Hei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'Noto Sans CJK SC' },
  { file: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', family: 'Noto Serif CJK SC' },
];

const cachedFonts = new Map<string, CjkFont | null>();

/**
 * The font for Chinese text: an explicit file, else $HCP_RECEIPT_FONT, else a known system CJK
 * font, else one in `shippedFontDir` (the app's assets/receipt/, handed in by the host), else
 * whatever fontconfig lists for zh. Null: none.
 */
export function findCjkFont(explicit?: string, shippedFontDir?: string): CjkFont | null {
  if (explicit) return { file: explicit, family: familyOf(explicit) ?? 'sans-serif' };
  const key = shippedFontDir ?? '';
  const hit = cachedFonts.get(key);
  if (hit !== undefined) return hit;
  const env = process.env.HCP_RECEIPT_FONT;
  const candidates: CjkFont[] = [];
  if (env) candidates.push({ file: env, family: familyOf(env) ?? 'sans-serif' });
  candidates.push(...KNOWN_FONTS);
  try {
    for (const f of shippedFontDir ? fs.readdirSync(shippedFontDir) : []) {
      if (/\.(ttf|otf|ttc)$/i.test(f)) {
        const file = path.join(shippedFontDir as string, f);
        candidates.push({ file, family: familyOf(file) ?? 'sans-serif' });
      }
    }
  } catch {
    /* no shipped font */
  }
  const found = candidates.find((c) => fs.existsSync(c.file)) ?? fromFontconfig();
  cachedFonts.set(key, found);
  return found;
}

function familyOf(file: string): string | null {
  try {
    const out = execFileSync('fc-query', ['-f', '%{family[0]}\n', file], { encoding: 'utf8', timeout: 3000 });
    return out.split('\n')[0]?.trim() || null;
  } catch {
    return null;
  }
}

function fromFontconfig(): CjkFont | null {
  try {
    const out = execFileSync('fc-list', [':lang=zh', 'file', 'family'], { encoding: 'utf8', timeout: 3000 });
    for (const line of out.split('\n')) {
      const m = /^(.+?):\s*([^,\n]+)/.exec(line);
      if (m?.[1] && m[2] && /\.(ttf|otf|ttc)$/i.test(m[1])) return { file: m[1], family: m[2].trim() };
    }
  } catch {
    /* no fontconfig */
  }
  return null;
}

const MARGIN = 16;
const CELL = 12;
const LINE_GAP = 6;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function bitmapPngDataUri(b: Bitmap): string {
  const png = new PNG({ width: b.widthDots, height: b.height });
  const rowBytes = b.widthDots / 8;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.widthDots; x++) {
      const black = (b.data[y * rowBytes + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
      const o = (y * b.widthDots + x) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = black ? 0 : 255;
      png.data[o + 3] = 255;
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

function xFor(align: 'left' | 'center' | 'right', width: number, paperDots: number): number {
  const free = Math.max(0, paperDots - width);
  return MARGIN + (align === 'left' ? 0 : align === 'center' ? Math.floor(free / 2) : free);
}

export function receiptSvg(parsed: ParsedEscPos, paperDots: number, font: CjkFont | null): string {
  const family = esc(font?.family ?? 'sans-serif');
  const body: string[] = [];
  let y = MARGIN;
  const image = (b: Bitmap, align: 'left' | 'center' | 'right') => {
    const x = xFor(align, b.widthDots, paperDots);
    body.push(
      `<image x="${x}" y="${y}" width="${b.widthDots}" height="${b.height}" image-rendering="optimizeSpeed" href="${bitmapPngDataUri(b)}"/>`,
    );
    y += b.height;
  };
  for (const e of parsed.elements as EscPosElement[]) {
    if (e.kind === 'text') {
      const h = 24 * e.heightMul;
      const chars = [...e.text];
      const width = chars.reduce((n, c) => n + charColumns(c) * CELL * e.widthMul, 0);
      let x = xFor(e.align, width, paperDots);
      const baseline = y + Math.round(h * 0.86);
      for (const ch of chars) {
        const w = charColumns(ch) * CELL * e.widthMul;
        if (ch !== ' ') {
          const sx = e.widthMul / e.heightMul;
          body.push(
            `<text transform="translate(${x + w / 2} ${baseline}) scale(${sx} 1)" font-size="${h}"` +
              `${e.bold ? ' font-weight="bold" stroke="#000" stroke-width="0.6"' : ''}>${esc(ch)}</text>`,
          );
        }
        x += w;
      }
      y += h + LINE_GAP;
    } else if (e.kind === 'feed') {
      y += Math.round(e.lines * (24 + LINE_GAP));
    } else if (e.kind === 'qr') {
      image(qrBitmap(e.data, e.moduleDots, e.ec), e.align);
    } else if (e.kind === 'raster') {
      image(e, e.align);
    } else if (e.kind === 'cut') {
      y += 8;
      body.push(
        `<line x1="0" x2="${paperDots + 2 * MARGIN}" y1="${y}" y2="${y}" stroke="#999" stroke-dasharray="6 4"/>`,
      );
      y += 8;
    }
  }
  const w = paperDots + 2 * MARGIN;
  const h = y + MARGIN;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<g font-family="${family}" text-anchor="middle" fill="#000">${body.join('')}</g></svg>`
  );
}

/** PNG bytes of the receipt. `font: null` renders anyway (Chinese as boxes) rather than failing a print. */
export function renderReceiptPng(
  parsed: ParsedEscPos,
  paperDots: number,
  font: CjkFont | null = findCjkFont(),
): Buffer {
  const svg = receiptSvg(parsed, paperDots, font);
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: font ? [font.file] : [],
      loadSystemFonts: !font,
      defaultFontFamily: font?.family ?? 'sans-serif',
    },
    shapeRendering: 1, // crispEdges: QR modules stay sharp
    imageRendering: 1, // optimizeSpeed: nearest neighbour for bitmaps
  });
  return resvg.render().asPng();
}
