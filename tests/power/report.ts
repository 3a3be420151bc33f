import type { PowerCutResult } from './harness.js';

/** The figures the issue asks for, one line per run: cuts, acknowledged, lost, and what else broke. */
export function describeRun(r: PowerCutResult): string {
  const readies = r.boots.filter((b) => b.readyAtS !== null).map((b) => b.readyAtS as number);
  const meanReady = readies.length ? readies.reduce((a, b) => a + b, 0) / readies.length : 0;
  return (
    `power cut (${r.mode === 'sound' ? 'the pad as built' : 'BROKEN build, synchronous=OFF'}, ${r.accel}): ` +
    `${r.cuts} cuts, ${r.acknowledged} acknowledged, ${r.lost.length} lost` +
    (r.lost.length ? ` (per cut: ${r.lostPerCut.join(' ')})` : '') +
    '; ' +
    `integrity_check not ok ${r.integrityFailures.length}, hash chain broken ${r.chainFailures}; ` +
    `pad ready ${meanReady.toFixed(1)} s after boot on average; ${(r.elapsedMs / 1000).toFixed(0)} s`
  );
}
