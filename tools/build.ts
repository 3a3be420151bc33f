/** Builds the renderer (Vite) and the Electron main/preload bundles (esbuild). */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildMain(): Promise<void> {
  const common = {
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
  await build({
    ...common,
    entryPoints: [join(root, 'main/main.ts')],
    outfile: join(root, 'dist/main/main.cjs'),
  });
  await build({
    ...common,
    entryPoints: [join(root, 'main/preload.ts')],
    outfile: join(root, 'dist/main/preload.cjs'),
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
}
