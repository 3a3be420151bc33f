import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The project's assets/ folder (sample hall, norms), found upwards from this module: the same from
 * platform-sim/ under tsx and from its bundle in dist/platform-sim/. The simulator is its own
 * program and does not borrow the pad's path helpers.
 */
export function simAssetsDir(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'assets');
    if (existsSync(join(candidate, 'sample-hall.json'))) return (cached = candidate);
    const up = resolve(dir, '..');
    if (up === dir)
      throw new Error('platform-sim: cannot find assets/sample-hall.json above ' + import.meta.url);
    dir = up;
  }
}
