/**
 * `memory`: runs memory-run.ts bundled with plain Node, as the pad runs its core
 * (dist/core/cli.mjs), never under the TypeScript loader. Under tsx the process also carries the
 * loader's own thread and heap: ~25 MB of resident memory more, of which ~10 MB is given back at
 * some point of the run, so the figure measured the loader's memory rising and falling, not the
 * pad's (decision 234).
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
