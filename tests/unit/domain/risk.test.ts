import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RISK_POLICY,
  hasKeyAndTouch,
  hasStrayPresses,
  isBurst,
  isFastRating,
  riskFlags,
  type Press,
  type RiskInput,
  type StaffRating,
} from '../../../src/domain/risk.js';

const T = 1_800_000_000_000;
const base = (over: Partial<RiskInput> = {}): RiskInput => ({
  evaluationId: 'ev',
  promptMs: T,
  ratedMs: T + 8000,
  presses: [{ atMs: T + 8000, source: 'key', evaluationId: 'ev' }],
  staffRatings: [],
  ...over,
});

describe('risk flags', () => {
  it('a calm, ordinary rating carries no flag', () => {
    expect(riskFlags(base())).toEqual([]);
  });

  it('fast_rating: under 1.5 s after the prompt', () => {
    expect(isFastRating({ promptMs: T, ratedMs: T + 1499 })).toBe(true);
    expect(isFastRating({ promptMs: T, ratedMs: T + 1500 })).toBe(false);
    expect(
      riskFlags(
        base({ ratedMs: T + 300, presses: [{ atMs: T + 300, source: 'touch', evaluationId: 'ev' }] }),
      ),
    ).toEqual(['fast_rating']);
  });

  it('key_and_touch: both sources in one evaluation, however far apart', () => {
    const presses: Press[] = [
      { atMs: T + 3000, source: 'touch', evaluationId: 'ev' },
      { atMs: T + 8000, source: 'key', evaluationId: 'ev' },
    ];
    expect(hasKeyAndTouch(base({ presses }))).toBe(true);
    expect(riskFlags(base({ presses }))).toEqual(['key_and_touch']);
  });

  it('key_and_touch: a press of the other kind within 1 s, even if it landed after the evaluation closed', () => {
    const own: Press = { atMs: T + 8000, source: 'key', evaluationId: 'ev' };
    expect(
      hasKeyAndTouch(base({ presses: [own, { atMs: T + 9000, source: 'touch', evaluationId: null }] })),
    ).toBe(true);
    expect(
      hasKeyAndTouch(base({ presses: [own, { atMs: T + 9001, source: 'touch', evaluationId: null }] })),
    ).toBe(false);
    // two keys are not key_and_touch
    expect(
      hasKeyAndTouch(base({ presses: [own, { atMs: T + 8100, source: 'key', evaluationId: null }] })),
    ).toBe(false);
    // the other evaluation's key and touch are not this one's business
    expect(
      hasKeyAndTouch(
        base({
          presses: [
            own,
            { atMs: T - 60_000, source: 'key', evaluationId: 'old' },
            { atMs: T - 59_800, source: 'touch', evaluationId: 'old' },
          ],
        }),
      ),
    ).toBe(false);
  });

  it('stray_presses: presses with no open evaluation in the 10 s before the prompt', () => {
    const stray = (dt: number): Press => ({ atMs: T + dt, source: 'key', evaluationId: null });
    expect(hasStrayPresses(base({ presses: [stray(-10_000)] }))).toBe(true);
    expect(hasStrayPresses(base({ presses: [stray(-1)] }))).toBe(true);
    expect(hasStrayPresses(base({ presses: [stray(-10_001)] }))).toBe(false);
    expect(hasStrayPresses(base({ presses: [stray(+500)] }))).toBe(false);
    // a press logged against the previous evaluation is not stray
    expect(
      hasStrayPresses(base({ presses: [{ atMs: T - 2000, source: 'key', evaluationId: 'prev' }] })),
    ).toBe(false);
  });

  describe('burst (default: 5 quick ratings within 2 minutes)', () => {
    // Four earlier quick ratings by the same staff, 20 s apart, each 2 s after its prompt.
    const history: StaffRating[] = [1, 2, 3, 4].map((i) => ({
      evaluationId: `e${i}`,
      promptMs: T - i * 20_000,
      ratedMs: T - i * 20_000 + 2000,
    }));
    const quick = base({ ratedMs: T + 2000 });

    it('the fifth quick rating within the window is flagged', () => {
      expect(isBurst({ ...quick, staffRatings: history })).toBe(true);
      expect(riskFlags({ ...quick, staffRatings: history })).toEqual(['burst']);
    });

    it('four are not a burst; this evaluation listed in the history is not counted twice', () => {
      expect(isBurst({ ...quick, staffRatings: history.slice(0, 3) })).toBe(false);
      expect(
        isBurst({
          ...quick,
          staffRatings: [...history.slice(0, 3), { evaluationId: 'ev', promptMs: T, ratedMs: T + 2000 }],
        }),
      ).toBe(false);
    });

    it('slow ratings, unrated ones and ratings outside the window do not count', () => {
      const slow = history.map((h, i) => (i === 0 ? { ...h, ratedMs: h.promptMs + 5000 } : h));
      expect(isBurst({ ...quick, staffRatings: slow })).toBe(false);
      const unrated = history.map((h, i) => (i === 0 ? { ...h, ratedMs: null } : h));
      expect(isBurst({ ...quick, staffRatings: unrated })).toBe(false);
      const old = history.map((h, i) =>
        i === 3 ? { ...h, promptMs: T - 125_000, ratedMs: T - 120_000 + 2000 } : h,
      );
      expect(isBurst({ ...quick, staffRatings: old })).toBe(false);
    });

    it('a slow rating after a burst is not flagged itself', () => {
      expect(isBurst({ ...base({ ratedMs: T + 5000 }), staffRatings: history })).toBe(false);
    });

    it('the policy is configurable', () => {
      const policy = { ...DEFAULT_RISK_POLICY, burstCount: 3 };
      expect(isBurst({ ...quick, staffRatings: history.slice(0, 2) }, policy)).toBe(true);
      expect(isBurst({ ...quick, staffRatings: history.slice(0, 1) }, policy)).toBe(false);
    });
  });

  it('all four together come out in a fixed order', () => {
    const presses: Press[] = [
      { atMs: T - 3000, source: 'key', evaluationId: null },
      { atMs: T + 400, source: 'touch', evaluationId: 'ev' },
      { atMs: T + 600, source: 'key', evaluationId: 'ev' },
    ];
    const staffRatings: StaffRating[] = [1, 2, 3, 4].map((i) => ({
      evaluationId: `e${i}`,
      promptMs: T - i * 10_000,
      ratedMs: T - i * 10_000 + 900,
    }));
    expect(riskFlags({ evaluationId: 'ev', promptMs: T, ratedMs: T + 400, presses, staffRatings })).toEqual([
      'fast_rating',
      'key_and_touch',
      'burst',
      'stray_presses',
    ]);
  });
});
