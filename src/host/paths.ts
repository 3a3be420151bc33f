import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The project (or packaged app) root: the nearest folder above this module whose package.json is
 * hcp-kiosk's. Works the same from src/ under tsx, from a bundle in dist/, and from an asar.
 */
export function appRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hcp-kiosk')
          return (cached = dir);
      } catch {
        // not ours; keep looking
      }
    }
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('hcp-kiosk: cannot find the app root (package.json)');
    dir = up;
  }
}

export const assetsDir = (): string => join(appRoot(), 'assets');
