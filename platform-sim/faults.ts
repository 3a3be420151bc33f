/** Fault injection of the simulator; each rate is a probability per request. */
export interface SimFaults {
  /** Added before every answer. */
  latencyMs: number;
  /** 503 before processing. */
  errorRate: number;
  /** 429 with Retry-After before processing. */
  rate429: number;
  retryAfterS: number;
  /** Connection destroyed before processing. */
  resetRate: number;
  /** Processed and committed, then the connection is destroyed without an answer. */
  dropAfterCommitRate: number;
  /** No answer at all until the client gives up (or stallMs passes). */
  stallRate: number;
  stallMs: number;
  /** Which requests the faults hit: every request, or only batch uploads. */
  scope: 'all' | 'batch';
}

export const NO_FAULTS: SimFaults = {
  latencyMs: 0,
  errorRate: 0,
  rate429: 0,
  retryAfterS: 1,
  resetRate: 0,
  dropAfterCommitRate: 0,
  stallRate: 0,
  stallMs: 0,
  scope: 'all',
};

export type FaultDecision = 'none' | 'error' | 'throttle' | 'reset' | 'drop' | 'stall';

/** One draw per request, so the rates mean what they say even when several are set. */
export function drawFault(f: SimFaults, random: () => number = Math.random): FaultDecision {
  let x = random();
  for (const [rate, kind] of [
    [f.resetRate, 'reset'],
    [f.errorRate, 'error'],
    [f.rate429, 'throttle'],
    [f.stallRate, 'stall'],
    [f.dropAfterCommitRate, 'drop'],
  ] as const) {
    if (x < rate) return kind;
    x -= rate;
  }
  return 'none';
}
