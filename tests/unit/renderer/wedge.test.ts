import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeResult } from '../../../renderer/src/lib/wedge.js';

/** Feeds `text` then Enter with `gap` ms between keys (a number or a per-key list), from t0. */
function typeInto(d: WedgeDetector, text: string, gap: number | number[], t0 = 1000) {
  let t = t0;
  const results: WedgeResult[] = [];
  const keys = [...text, 'Enter'];
  keys.forEach((k, i) => {
    if (i > 0) t += Array.isArray(gap) ? (gap[i - 1] ?? 0) : gap;
    results.push(d.feed(k, t));
  });
  return { last: results[results.length - 1], end: t };
}

describe('WedgeDetector', () => {
  it('recognises a scanner burst ending in Enter', () => {
    const d = new WedgeDetector();
    expect(typeInto(d, 'HCP-STAFF:T0107', 8).last).toEqual({ kind: 'burst', code: 'HCP-STAFF:T0107' });
  });

  it('leaves a person typing alone, even a fast one', () => {
    const d = new WedgeDetector();
    expect(typeInto(d, '370900-2026', 110).last).toEqual({ kind: 'none' });
    expect(typeInto(d, '370900-2026', 60, 5000).last).toEqual({ kind: 'none' });
  });

  it('does not cut a scan in two when one key event is delayed', () => {
    const d = new WedgeDetector();
    const gaps = Array.from({ length: 18 }, (_, i) => (i === 5 ? 90 : 6));
    expect(typeInto(d, '370900-2026-000999', gaps).last).toEqual({
      kind: 'burst',
      code: '370900-2026-000999',
    });
  });

  it('starts over after a real pause, so earlier typing is not glued onto a scan', () => {
    const d = new WedgeDetector();
    let t = 0;
    for (const k of 'ab') d.feed(k, (t += 150));
    t += 2000;
    const { last } = typeInto(d, 'CASE-0001', 5, t);
    expect(last).toEqual({ kind: 'burst', code: 'CASE-0001' });
  });

  it('ignores modifier keys inside a burst and rejects codes that are too short', () => {
    const d = new WedgeDetector();
    let t = 0;
    for (const k of ['Shift', 'H', 'Shift', 'C', 'P', '-', '1']) d.feed(k, (t += 5));
    expect(d.feed('Enter', t + 5)).toEqual({ kind: 'burst', code: 'HCP-1' });
    expect(typeInto(d, 'ab1', 5, 10_000).last).toEqual({ kind: 'none' });
  });

  it('needs the Enter to come quickly too', () => {
    const d = new WedgeDetector();
    let t = 0;
    for (const k of 'HCP-STAFF:T0107') d.feed(k, (t += 5));
    expect(d.feed('Enter', t + 500)).toEqual({ kind: 'none' });
  });
});
