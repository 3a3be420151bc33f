/**
 * `npm run bench:power`: power cuts in a virtual machine (tests/power/README.md), apart from
 * `npm run bench` because it takes most of an hour under TCG. The pad as built must lose nothing
 * over BENCH_POWER_CUTS cuts (default 100); the deliberately broken build (synchronous=OFF) runs
 * BENCH_POWER_BROKEN_CUTS cuts (default 10) alongside and must lose some, or the bench proves
 * nothing.
 */
import { ensureGuestImage } from '../../tests/power/build-guest.js';
import { runPowerCuts } from '../../tests/power/harness.js';
import { describeRun } from '../../tests/power/report.js';

const cuts = Number(process.env.BENCH_POWER_CUTS ?? 100);
const brokenCuts = Number(process.env.BENCH_POWER_BROKEN_CUTS ?? 10);
const log = (s: string) => console.log(`  ${s}`);

const t0 = Date.now();
const image = await ensureGuestImage(log);
console.log(`guest image ${image.key} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const sound = await runPowerCuts({ image, cuts, mode: 'sound', cutWindowMs: [300, 8000], log });
console.log(describeRun(sound));
let brokenLost = 0;
if (brokenCuts > 0) {
  const broken = await runPowerCuts({
    image,
    cuts: brokenCuts,
    mode: 'sync-off',
    cutWindowMs: [3000, 12000],
    log,
  });
  console.log(describeRun(broken));
  brokenLost = broken.lost.length;
}
const ok =
  sound.lost.length === 0 &&
  sound.integrityFailures.length === 0 &&
  sound.chainFailures === 0 &&
  (brokenCuts === 0 || brokenLost > 0);
if (sound.lost.length) console.log(`lost: ${sound.lost.slice(0, 20).join(' ')}`);
process.exit(ok ? 0 : 1);
