import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGuestImage, type GuestImage } from './build-guest.js';
import { runPowerCuts } from './harness.js';
import { describeRun } from './report.js';

const CUTS = Number(process.env.HCP_POWER_CUTS ?? 20);
const BROKEN_CUTS = Number(process.env.HCP_POWER_BROKEN_CUTS ?? 3);
const log = (s: string) => console.log(`  ${s}`);

/**
 * Power cuts in a virtual machine (tests/power/README.md): the pad's core rates in a QEMU guest
 * whose database disk has host caching off; the host kills QEMU at random moments and the next
 * boot holds the database to every acknowledgement the host received. The two builds run side by
 * side (a core each where there are two) to keep the step short.
 */
describe.concurrent('power cuts in a virtual machine', () => {
  let image: GuestImage;
  beforeAll(async () => {
    image = await ensureGuestImage(log);
  });

  it(`the pad loses no acknowledged rating over ${CUTS} power cuts`, async () => {
    const r = await runPowerCuts({ image, cuts: CUTS, mode: 'sound', cutWindowMs: [200, 5000], log });
    console.log(describeRun(r));
    expect(r.cuts).toBe(CUTS);
    // Every boot rated before its cut, so every cut fell while the pad was writing.
    expect(r.boots.filter((b) => b.phase === 'run' && b.acksThisBoot > 0)).toHaveLength(CUTS);
    expect(r.lost).toEqual([]);
    expect(r.integrityFailures).toEqual([]);
    expect(r.chainFailures).toBe(0);
  });

  it(`a build with synchronous=OFF loses acknowledged ratings over ${BROKEN_CUTS} cuts (the test can fail)`, async () => {
    // Cut within the guest kernel's 30 s dirty-page expiry: what the broken build "committed" is
    // still only in the guest's page cache.
    const r = await runPowerCuts({
      image,
      cuts: BROKEN_CUTS,
      mode: 'sync-off',
      cutWindowMs: [3000, 12000],
      log,
    });
    console.log(describeRun(r));
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.lost.length).toBeGreaterThan(0);
  });
});
