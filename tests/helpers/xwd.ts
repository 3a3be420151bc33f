import { PNG } from 'pngjs';

/**
 * An X window dump (`xwd -root`, ZPixmap, 24/32 bits per pixel) as a PNG — what the kiosk session
 * under Xvfb really shows, cursor aside. Also says how much of the screen is not one colour.
 */
export function xwdToPng(buf: Buffer): {
  png: Buffer;
  width: number;
  height: number;
  distinctColours: number;
  blackFraction: number;
} {
  const be = buf.readUInt32BE(4) === 7; // file_version 7, in whichever byte order the header uses
  const u32 = (i: number) => (be ? buf.readUInt32BE(i * 4) : buf.readUInt32LE(i * 4));
  const headerSize = u32(0);
  const [width, height, byteOrder, bitsPerPixel, bytesPerLine] = [u32(4), u32(5), u32(7), u32(11), u32(12)];
  const [redMask, greenMask, blueMask] = [u32(14), u32(15), u32(16)];
  const ncolors = u32(19);
  if (u32(2) !== 2 || (bitsPerPixel !== 32 && bitsPerPixel !== 24)) {
    throw new Error(`xwd: only ZPixmap at 24/32 bpp (format ${u32(2)}, ${bitsPerPixel} bpp)`);
  }
  const data = headerSize + ncolors * 12;
  const shift = (mask: number) => Math.log2(mask & -mask);
  const png = new PNG({ width, height });
  const colours = new Set<number>();
  let black = 0;
  const step = bitsPerPixel / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = data + y * bytesPerLine + x * step;
      const p =
        step === 4
          ? byteOrder === 0
            ? buf.readUInt32LE(at)
            : buf.readUInt32BE(at)
          : byteOrder === 0
            ? buf.readUIntLE(at, 3)
            : buf.readUIntBE(at, 3);
      const r = (p & redMask) >>> shift(redMask);
      const g = (p & greenMask) >>> shift(greenMask);
      const b = (p & blueMask) >>> shift(blueMask);
      const o = (y * width + x) * 4;
      png.data[o] = r;
      png.data[o + 1] = g;
      png.data[o + 2] = b;
      png.data[o + 3] = 255;
      if (r + g + b === 0) black++;
      if (colours.size < 10_000) colours.add((r << 16) | (g << 8) | b);
    }
  }
  return {
    png: PNG.sync.write(png),
    width,
    height,
    distinctColours: colours.size,
    blackFraction: black / (width * height),
  };
}
