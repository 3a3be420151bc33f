import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coreBundleOptions, mainBundleOptions, mainOnlyOptions } from '../../../tools/build.js';
import { DEMO_DEVICE_SECRET } from '../../../platform-sim/index.js';

const root = resolve(import.meta.dirname, '../../..');
mkdirSync(join(root, 'dist'), { recursive: true });
const out = mkdtempSync(join(root, 'dist', '.production-bundle-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Names only the simulator's code carries; none of them may reach a bundle the pad ships. */
const SIMULATOR_MARKERS = ['SimServer', 'startPlatformSim', 'openSimDb', 'drawFault', 'staffPhotoSvg'];

/**
 * The product ships no development tools: the Electron main bundle and the core bundle are built
 * with the project's own build options and searched for the platform simulator's code and the
 * public demo secret (anyone holding it could sign records as the demo pad).
 */
describe('the production bundles', () => {
  const bundles: Array<[string, () => Promise<string>]> = [
    [
      'Electron main',
      async () => {
        const outfile = join(out, 'main.cjs');
        await build({
          ...mainBundleOptions,
          ...mainOnlyOptions,
          entryPoints: [join(root, 'main/main.ts')],
          outfile,
          logLevel: 'silent',
        });
        return outfile;
      },
    ],
    [
      'Electron preload',
      async () => {
        const outfile = join(out, 'preload.cjs');
        await build({
          ...mainBundleOptions,
          entryPoints: [join(root, 'main/preload.ts')],
          outfile,
          logLevel: 'silent',
        });
        return outfile;
      },
    ],
    [
      'core (browser shell, CLI)',
      async () => {
        const outfile = join(out, 'cli.mjs');
        await build({
          ...coreBundleOptions,
          entryPoints: [join(root, 'src/host/cli.ts')],
          outfile,
          logLevel: 'silent',
        });
        return outfile;
      },
    ],
  ];

  it.each(bundles)('%s contains no simulator code and no demo secret', async (_name, make) => {
    const file = await make();
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBeGreaterThan(500);
    for (const marker of SIMULATOR_MARKERS) expect(text, marker).not.toContain(marker);
    expect(text).not.toContain(DEMO_DEVICE_SECRET);
    // Nor in the source map, which is shipped beside the core bundle.
    const map = readFileSync(file + '.map', 'utf8');
    expect(map).not.toContain(DEMO_DEVICE_SECRET);
    const sources = (JSON.parse(map) as { sources: string[] }).sources;
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => /(^|\/)platform-sim\/|tests\/emulators\//.test(s))).toEqual([]);
  });

  it('the markers do find the simulator where it is', async () => {
    const outfile = join(out, 'sim.mjs');
    await build({
      ...coreBundleOptions,
      entryPoints: [join(root, 'platform-sim/main.ts')],
      outfile,
      logLevel: 'silent',
    });
    const text = readFileSync(outfile, 'utf8');
    expect(SIMULATOR_MARKERS.filter((m) => text.includes(m))).toEqual(SIMULATOR_MARKERS);
    expect(text).toContain(DEMO_DEVICE_SECRET);
  });
});
