/** Injectable time source: tests and the clock-skew harness substitute their own. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
