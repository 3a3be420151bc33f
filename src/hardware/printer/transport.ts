/** A byte pipe to a printer, plus the DLE EOT status exchange over it. */
import { statusRequest } from './escpos.js';
import type { RawStatus } from './status.js';

export interface ByteTransport {
  readonly name: string;
  readonly isOpen: boolean;
  /** Rejects when the device cannot be reached; may be called again after a failure or close. */
  open(): Promise<void>;
  /** Resolves when the bytes are handed to the OS (drained); rejects on a write error. */
  write(data: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Sends DLE EOT n and waits for the one-byte answer. Bytes arriving before the request (late
 * answers, automatic status back) are discarded, so answers never get attributed to the wrong n.
 */
export async function queryStatusByte(
  t: ByteTransport,
  n: 1 | 2 | 3 | 4,
  timeoutMs: number,
): Promise<number | null> {
  let resolve!: (v: number | null) => void;
  const answer = new Promise<number | null>((r) => (resolve = r));
  let armed = false;
  const off = t.onData((chunk) => {
    if (armed && chunk.length > 0) resolve(chunk[chunk.length - 1]!);
  });
  const timer = setTimeout(() => resolve(null), timeoutMs);
  try {
    armed = true;
    await t.write(statusRequest(n));
    return await answer;
  } finally {
    clearTimeout(timer);
    off();
  }
}

export async function queryRawStatus(t: ByteTransport, timeoutMs: number): Promise<RawStatus> {
  const printer = await queryStatusByte(t, 1, timeoutMs);
  if (printer === null) return { printer, offline: null, error: null, paper: null };
  const offline = await queryStatusByte(t, 2, timeoutMs);
  const error = await queryStatusByte(t, 3, timeoutMs);
  const paper = await queryStatusByte(t, 4, timeoutMs);
  return { printer, offline, error, paper };
}
