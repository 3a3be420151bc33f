/** Test helpers: read QR codes out of rendered receipt PNGs with real decoders. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS typed as `export default`: under NodeNext the default import is the module
// object for the type checker but the function at run time; accept both.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const m = jsQRModule as unknown as JsQr | { default: JsQr };
const jsQR: JsQr = typeof m === 'function' ? m : m.default;

export function decodeQrJsqr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  const r = jsQR(
    new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
    img.width,
    img.height,
  );
  return r ? r.data : null;
}

/** zbarimg (zbar-tools): a second, independent decoder. Null when it finds nothing. */
export function decodeQrZbar(png: Buffer): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zbar-'));
  const file = path.join(dir, 'r.png');
  fs.writeFileSync(file, png);
  try {
    const out = execFileSync('zbarimg', ['--quiet', '--raw', '-Sbinary', file], {
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString('utf8').replace(/\n$/, '');
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function hasZbar(): boolean {
  try {
    execFileSync('zbarimg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
