/** The simulated board's options and the line faults it can inject (the fault tests' far end). */

export interface SimulatorFaults {
  /** Probability that each byte the board sends is replaced by a random one. */
  corruptOutByte: number;
  /** Same for the bytes the board receives. */
  corruptInByte: number;
  /** Probability that an outgoing frame is not sent at all. */
  dropFrame: number;
  /** Probability that an outgoing frame is sent twice. */
  duplicateFrame: number;
  /** Probability that an outgoing frame is held back and sent after the next one. */
  reorderFrame: number;
}

export interface BoardSimulatorOptions {
  serial?: string;
  firmware?: string;
  keyCount?: number;
  ledCount?: number;
  buzzer?: boolean;
  staffKey?: boolean;
  /** Event buffer entries (§4: at least 32). */
  bufferSize?: number;
  resendMs?: number;
  faults?: Partial<SimulatorFaults>;
  /** Random numbers in [0, 1) for the fault knobs: seed it for reproducible tests. */
  random?: () => number;
}

export const NO_FAULTS: SimulatorFaults = {
  corruptOutByte: 0,
  corruptInByte: 0,
  dropFrame: 0,
  duplicateFrame: 0,
  reorderFrame: 0,
};

/** Each byte replaced by a random one with probability `p`. */
export function corruptBytes(bytes: Uint8Array, p: number, random: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < out.length; i++) if (random() < p) out[i] = Math.floor(random() * 256);
  return out;
}
