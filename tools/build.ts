/** Builds the renderer (Vite), the Electron main/preload bundles, the core and the platform simulator (esbuild). */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * esbuild options of the Electron main/preload bundles (CommonJS). In CommonJS `import.meta.url`
 * is empty, and the core finds its app root from it, so main defines it from __filename.
 */
export const mainBundleOptions = {
  bundle: true,
  platform: 'node' as const,
  format: 'cjs' as const,
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning' as const,
  external: [
    'electron',
    'better-sqlite3',
    'serialport',
    '@serialport/*',
    '@resvg/*',
    'bufferutil',
    'utf-8-validate',
  ],
};

/** Main only: a sandboxed preload may require almost nothing, and it has no import.meta. */
export const mainOnlyOptions = {
  define: { 'import.meta.url': '__hcpModuleUrl' },
  // The banner goes before esbuild's own "use strict", so it says it first.
  banner: {
    js: "'use strict';\nconst __hcpModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  },
};

export async function buildMain(): Promise<void> {
  await build({
    ...mainBundleOptions,
    ...mainOnlyOptions,
    entryPoints: [join(root, 'main/main.ts')],
    outfile: join(root, 'dist/main/main.cjs'),
  });
  await build({
    ...mainBundleOptions,
    entryPoints: [join(root, 'main/preload.ts')],
    outfile: join(root, 'dist/main/preload.cjs'),
  });
}

/** esbuild options of the core as one ESM file (also the platform simulator's program). */
export const coreBundleOptions = {
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node20',
  sourcemap: true,
  // Native modules stay in node_modules; everything else is bundled (chinese-days imports JSON
  // in a way Node's ESM loader refuses unbundled).
  external: ['better-sqlite3', 'serialport', '@serialport/*', '@resvg/*', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning' as const,
};

/** The core as one ESM file: starts in a fraction of the time a TypeScript loader takes. */
export async function buildCore(): Promise<void> {
  await build({
    ...coreBundleOptions,
    entryPoints: [join(root, 'src/host/cli.ts')],
    outfile: join(root, 'dist/core/cli.mjs'),
  });
}

/**
 * The platform simulator, a development program of its own: never part of the pad's bundles or
 * packages. `platform.baseUrl: "embedded"` starts it from here as a child process.
 */
export async function buildPlatformSim(): Promise<void> {
  await build({
    entryPoints: [join(root, 'platform-sim/main.ts')],
    outfile: join(root, 'dist/platform-sim/main.mjs'),
    ...coreBundleOptions,
  });
}

export function buildRenderer(): void {
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'renderer/vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  if (r.status !== 0) throw new Error('renderer build failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const what = process.argv[2] ?? 'all';
  if (what === 'all' || what === 'renderer') buildRenderer();
  if (what === 'all' || what === 'main') await buildMain();
  if (what === 'all' || what === 'core') await buildCore();
  if (what === 'all' || what === 'platform-sim') await buildPlatformSim();
}
