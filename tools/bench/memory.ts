/**
 * `memory`: runs memory-run.ts bundled with plain Node, as the pad runs its core
 * (dist/core/cli.mjs), never under the TypeScript loader. Under tsx the process also carries the
 * loader's own thread and heap (~30 MB of resident memory more), and ~10 MB was given back at a
 * point of the run that moved from run to run, which bundled it never was: the figure said where
 * that fall landed, not what the pad holds (decision 234).
 *   npx tsx tools/bench/memory.ts        (BENCH_MEM_N=100000 by default)
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { coreBundleOptions } from '../build.js';

const root = join(import.meta.dirname, '../..');
const bundle = join(root, 'dist/bench/memory.mjs');
await build({
  ...coreBundleOptions,
  entryPoints: [join(import.meta.dirname, 'memory-run.ts')],
  outfile: bundle,
});
const run = spawnSync(process.execPath, ['--expose-gc', bundle], { stdio: 'inherit', env: process.env });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
