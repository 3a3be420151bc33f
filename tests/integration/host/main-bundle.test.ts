import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mainBundleOptions, mainOnlyOptions } from '../../../tools/build.js';

const root = resolve(import.meta.dirname, '../../..');
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/**
 * Electron's main is a CommonJS bundle, where `import.meta.url` is empty unless the build defines
 * it. The core finds its assets (fonts, norms, renderer) from the app root it derives from that
 * URL, so a bundle built with main's options, placed where main's bundle goes, must find the root.
 */
describe('the Electron main bundle', () => {
  it('finds the app root from inside a CommonJS bundle', async () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    dir = mkdtempSync(join(root, 'dist', '.main-bundle-test-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { appRoot } from ${JSON.stringify(join(root, 'src/host/paths.ts'))};\nprocess.stdout.write(appRoot());\n`,
    );
    const out = join(dir, 'main.cjs');
    await build({
      ...mainBundleOptions,
      ...mainOnlyOptions,
      entryPoints: [entry],
      outfile: out,
      logLevel: 'silent',
    });
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(root);
  });
});
