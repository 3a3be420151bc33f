import type { RiskFlag } from './record.js';

/**
 * Risk flags for the platform's fraud review (docs/protocols/rules.md "Protecting the rating", seed 三(三)):
 * signs of 刷好评 (staff rating their own service) or of a machine/pad being played with. They
 * never stop a rating; they ride along on the record. Pure: the caller gathers the inputs.
 */

export interface RiskPolicy {
  /** fast_rating: rated sooner than this after the prompt (a citizen can hardly read the screen). */
  fastRatingMs: number;
  /** key_and_touch: a key and a touch press closer together than this, across evaluation bounds. */
  keyTouchWindowMs: number;
  /** burst: at least burstCount quick ratings (each < burstFastMs after its prompt) of one staff … */
  burstCount: number;
  /** … whose ratings all fall within this window, ending with the rating being flagged. */
  burstWindowMs: number;
  burstFastMs: number;
  /** stray_presses: presses outside any open evaluation in this long before the prompt. */
  strayWindowMs: number;
}

/**
 * Burst default: 5 ratings in 2 minutes, each within 5 s of its prompt. A real window needs
 * minutes per transaction; five finished-and-rated services in two minutes, each rated at once,
 * looks like staff tapping the stars themselves. Only quick ratings count, so a busy window
 * with many slow, genuine ratings is not flagged.
 */
export const DEFAULT_RISK_POLICY: RiskPolicy = {
  fastRatingMs: 1500,
  keyTouchWindowMs: 1000,
  burstCount: 5,
  burstWindowMs: 120_000,
  burstFastMs: 5000,
  strayWindowMs: 10_000,
};

export interface Press {
  atMs: number;
  source: 'key' | 'touch';
  /** The evaluation the press was logged against, null when none was open (raw_inputs.evaluation_id). */
  evaluationId: string | null;
}

/** Another (or this) evaluation of the same staff member, for burst detection. */
export interface StaffRating {
  evaluationId: string;
  promptMs: number;
  /** When the counting star was chosen; null if it was never rated. */
  ratedMs: number | null;
}

export interface RiskInput {
  evaluationId: string;
  promptMs: number;
  /** When the counting star was chosen. */
  ratedMs: number;
  /** Raw presses around the evaluation: at least from promptMs − strayWindowMs to ratedMs + keyTouchWindowMs. */
  presses: readonly Press[];
  /** The staff member's evaluations rated within the burst window (this one may be included or not). */
  staffRatings: readonly StaffRating[];
}

export function isFastRating(
  input: Pick<RiskInput, 'promptMs' | 'ratedMs'>,
  policy = DEFAULT_RISK_POLICY,
): boolean {
  return input.ratedMs - input.promptMs < policy.fastRatingMs;
}

/**
 * Both a key and a touch in this evaluation (whatever the gap: only one can count, the other
 * was someone else's hand or a second try), or a key and a touch within keyTouchWindowMs of
 * each other where at least one belongs to this evaluation (the other may have landed just
 * after it closed, or just before it opened).
 */
export function hasKeyAndTouch(
  input: Pick<RiskInput, 'evaluationId' | 'presses'>,
  policy = DEFAULT_RISK_POLICY,
): boolean {
  const own = input.presses.filter((p) => p.evaluationId === input.evaluationId);
  if (own.some((p) => p.source === 'key') && own.some((p) => p.source === 'touch')) return true;
  return own.some((a) =>
    input.presses.some((b) => b.source !== a.source && Math.abs(b.atMs - a.atMs) <= policy.keyTouchWindowMs),
  );
}

/**
 * Whether this rating completes a burst: it is itself quick, and together with the staff
 * member's other quick ratings inside the window ending at it there are ≥ burstCount. A slow,
 * genuine rating that follows a burst is not flagged.
 */
export function isBurst(
  input: Pick<RiskInput, 'evaluationId' | 'promptMs' | 'ratedMs' | 'staffRatings'>,
  policy = DEFAULT_RISK_POLICY,
): boolean {
  if (input.ratedMs - input.promptMs >= policy.burstFastMs) return false;
  const from = input.ratedMs - policy.burstWindowMs;
  const others = input.staffRatings.filter(
    (e) =>
      e.evaluationId !== input.evaluationId &&
      e.ratedMs !== null &&
      e.ratedMs > from &&
      e.ratedMs <= input.ratedMs &&
      e.ratedMs - e.promptMs < policy.burstFastMs,
  );
  return others.length + 1 >= policy.burstCount;
}

/** Presses with no evaluation open in the strayWindowMs before the prompt (someone "warming up" the keys). */
export function hasStrayPresses(
  input: Pick<RiskInput, 'promptMs' | 'presses'>,
  policy = DEFAULT_RISK_POLICY,
): boolean {
  return input.presses.some(
    (p) =>
      p.evaluationId === null && p.atMs >= input.promptMs - policy.strayWindowMs && p.atMs < input.promptMs,
  );
}

/** All flags for a rated evaluation, in a fixed order. */
export function riskFlags(input: RiskInput, policy: RiskPolicy = DEFAULT_RISK_POLICY): RiskFlag[] {
  const flags: RiskFlag[] = [];
  if (isFastRating(input, policy)) flags.push('fast_rating');
  if (hasKeyAndTouch(input, policy)) flags.push('key_and_touch');
  if (isBurst(input, policy)) flags.push('burst');
  if (hasStrayPresses(input, policy)) flags.push('stray_presses');
  return flags;
}
