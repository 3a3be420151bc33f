/**
 * SIGKILLs during a stream of ratings: acknowledged ratings lost must be 0. BENCH_KILLS=1000 is the
 * full run; the summary run uses 200 so that `npm run bench` fits in 20 minutes on a shared machine.
 */
import { buildChild, runDurability } from '../../tests/harness/durability.js';
import { tempDir } from '../../tests/helpers/tmp.js';
import { report } from './report.js';

const kills = Number(process.env.BENCH_KILLS ?? 200);
const data = tempDir();
const child = await buildChild();
const r = await runDurability({
  dataDir: data.dir,
  childFile: child,
  kills,
  log: (s) => console.log(`  ${s}`),
});
console.log(
  `durability: ${r.kills} kills in ${(r.elapsedMs / 1000).toFixed(0)} s; ${r.started} evaluations started, ${r.acknowledged} ratings acknowledged; ` +
    `lost ${r.lost.length}, duplicates ${r.duplicates}, wrong stars ${r.wrongStars}, integrity_check ${r.integrity}, hash chain ${r.chainOk ? 'ok' : 'BROKEN'}`,
);
report('durability', [
  {
    figure: `acknowledged ratings lost over ${r.kills} SIGKILLs`,
    value: r.lost.length + r.duplicates + r.wrongStars,
    unit: 'lost+dup+wrong',
    floor: null,
    floorLabel: 'must be 0',
    kind: 'info',
    goal: null,
    note: `${r.acknowledged} acknowledged; integrity ${r.integrity}; chain ${r.chainOk ? 'ok' : 'BROKEN'}`,
  },
]);
data.cleanup();
process.exit(r.lost.length === 0 && r.duplicates === 0 && r.integrity === 'ok' && r.chainOk ? 0 : 1);
