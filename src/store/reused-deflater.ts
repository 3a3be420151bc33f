import * as zlib from 'node:zlib';

/**
 * One raw-DEFLATE encoder per preset dictionary, kept and reset between records (decision 221):
 * the sealing side of reused-inflater.ts.
 *
 * Why: `deflateRawSync` builds a zlib stream object (and its native state) for every call and
 * closes it after. Measured on this machine for a 600-byte record against the 2.3 KB dictionary:
 * 17.8 µs a record that way, 9.9 µs through a kept handle, inside every key press's sealing
 * transaction.
 *
 * How, and why it is safe: the native handle is driven the way zlib.js drives it for the
 * synchronous API (`_handle.writeSync` with Z_FINISH, the `_writeState` it reports into), then
 * `reset()`, which for a raw deflate stream sets the dictionary again — the next record starts from
 * exactly the state a new stream has. Those are Node internals, so:
 * - at creation the handle's shape is checked and a known text must come out byte for byte as
 *   `deflateRawSync` packs it (twice, so that the reset is tested too); any difference and this
 *   encoder answers `null` forever;
 * - per record, an error reported by the handle, input left unread, or an output buffer too small,
 *   answer `null`; a failed reset answers `null` forever.
 * On `null` the caller packs with `deflateRawSync`. Either way the stored bytes are the same: for
 * the same input, level, strategy, window and dictionary zlib's output is deterministic (tested against
 * `deflateRawSync` on many records, tests/unit/store/reused-deflater.test.ts) — and any valid
 * DEFLATE stream of the text would unpack to the same text anyway.
 *
 * Not reentrant: one output buffer per encoder, used synchronously; the answer is a copy.
 */
export interface ReusedDeflater {
  /** `text` packed as raw DEFLATE against the dictionary, or null where deflateRawSync must. */
  deflate(text: string): Buffer | null;
}

/** How zlib packs: its level and its strategy (record-codec.ts says which and why). */
export interface DeflateOptions {
  level: number;
  strategy: number;
}

/** The parts of node:zlib used here (a test hands in a changed one). */
export interface DeflateZlibApi {
  constants: { Z_FINISH: number };
  createDeflateRaw(options: DeflateOptions & { dictionary: Uint8Array }): unknown;
  deflateRawSync(text: string, options: DeflateOptions & { dictionary: Uint8Array }): Buffer;
}

interface NativeDeflateHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

/** The largest packed text kept here; a longer one (no record is) goes to deflateRawSync. */
const OUTPUT_BYTES = 64 * 1024;
const SELF_TEST_TEXTS = [
  `{"selfTest":"记录 record ✓","n":12345678901234567890,"pad":"${'ab'.repeat(200)}"}`,
  '{"areaCode":"3709","assessTime":"2026-12-01 09:30:00","satisfaction":5,"windowNo":"1"}',
  // Letters of skewed frequency: codes made for the text pack it shorter than fixed codes, so a
  // public API packing in other codes than the handle shows here (decision 235).
  `{"selfTest":"${Array.from({ length: 300 }, (_, i) => String.fromCharCode(97 + ((i * i * 7 + i) % 26)).repeat(i % 3 === 0 ? 3 : 1)).join('')}"}`,
];
const DECLINE: ReusedDeflater = { deflate: () => null };

export function reusedDeflater(
  dictionary: Uint8Array,
  options: DeflateOptions,
  api: DeflateZlibApi = zlib,
): ReusedDeflater {
  const { level, strategy } = options;
  let stream: { _handle?: unknown; _writeState?: unknown };
  try {
    stream = api.createDeflateRaw({ level, strategy, dictionary }) as typeof stream;
  } catch {
    return DECLINE;
  }
  const handle = stream._handle as Partial<NativeDeflateHandle> | null | undefined;
  const state = stream._writeState;
  if (
    typeof handle !== 'object' ||
    handle === null ||
    typeof handle.writeSync !== 'function' ||
    typeof handle.reset !== 'function' ||
    !(state instanceof Uint32Array) ||
    state.length < 2
  )
    return DECLINE;
  const native = handle as NativeDeflateHandle;
  const output = Buffer.allocUnsafe(OUTPUT_BYTES);
  let failed = false;
  let broken = false;
  // Replaces zlib.js's own error handler, which would destroy the stream and throw later.
  native.onerror = () => {
    failed = true;
  };

  const deflate = (text: string): Buffer | null => {
    if (broken) return null;
    const input = Buffer.from(text, 'utf8');
    failed = false;
    try {
      native.writeSync(api.constants.Z_FINISH, input, 0, input.length, output, 0, OUTPUT_BYTES);
    } catch {
      failed = true;
    }
    const outLeft = state[0] as number;
    const inLeft = state[1] as number;
    // Output left over (outLeft 0) means the stream may not have ended: not trusted.
    const packed =
      !failed && inLeft === 0 && outLeft > 0 ? Buffer.from(output.subarray(0, OUTPUT_BYTES - outLeft)) : null;
    failed = false;
    try {
      native.reset();
    } catch {
      failed = true;
    }
    // Node reports a failed reset through onerror, not by throwing.
    if (failed) {
      broken = true;
      return null;
    }
    return packed;
  };
  const deflater: ReusedDeflater & { stream: unknown } = {
    // Held so the stream that owns the handle lives as long as this encoder.
    stream,
    deflate,
  };
  try {
    for (const text of [...SELF_TEST_TEXTS, ...SELF_TEST_TEXTS]) {
      const ours = deflater.deflate(text);
      if (ours === null || !ours.equals(api.deflateRawSync(text, { level, strategy, dictionary })))
        return DECLINE;
    }
  } catch {
    return DECLINE;
  }
  return deflater;
}
