/**
 * `npm run bench`: every benchmark, one after another (never in parallel: they share 2 cores and
 * one disk). Each is also runnable alone with `npx tsx tools/bench/<name>.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = ['commit-latency', 'durability', 'board-latency', 'receipt-size', 'sync-drain'].filter(
  (b) => only.length === 0 || only.includes(b),
);
let failed = 0;
for (const name of benches) {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`\n=== ${name}: missing (${file})`);
    failed += 1;
    continue;
  }
  console.log(`\n=== ${name}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, HCP_QUIET: '1' },
  });
  console.log(
    `=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (r.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
