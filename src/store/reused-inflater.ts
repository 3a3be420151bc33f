/**
 * One raw-DEFLATE decoder per preset dictionary, kept and reset between records (decision 205).
 *
 * Why: `inflateRawSync` builds a zlib stream object for every call and closes it after, ~7 µs a
 * record on this hardware, where decoding a 230-byte record takes ~0.6 µs. Records are unpacked
 * one by one by the hundred thousand (verification, uploads, figures).
 *
 * How: a zlib stream's native handle is what zlib.js itself drives for the synchronous API
 * (`_handle.writeSync`, the `_writeState` it reports into, `reset()`, which for raw inflate puts
 * the dictionary back). Those are Node internals, so nothing here is trusted blindly:
 * - at creation the handle's shape is checked and a known text is decoded; any difference and this
 *   inflater answers `null` forever;
 * - per record, an error reported by the handle, input left over after the final block, or an
 *   output buffer too small for the text, also answer `null`.
 * On `null` the caller uses the public API, whose answer (text or error) is the authoritative one.
 * For a stream both accept the output is fixed by RFC 1951, so the two give the same text (tested
 * against the public API on real and damaged bodies, tests/unit/store/reused-inflater.test.ts).
 *
 * Not reentrant: one output buffer per decoder, used synchronously.
 *
 * Self-contained (zlib comes in as an argument; nothing from this module's scope is used inside
 * `reusedInflater`), so that a worker thread can run its source text (verify-parallel.ts).
 */

/** The parts of node:zlib used here. */
export interface ZlibApi {
  constants: { Z_FINISH: number };
  createInflateRaw(options: { dictionary: Uint8Array }): unknown;
  deflateRawSync(text: string, options: { level: number; dictionary: Uint8Array }): Buffer;
}

export interface ReusedInflater {
  /** The UTF-8 text of raw DEFLATE `input[start..end)`, or null where the public API must answer. */
  inflate(input: Uint8Array, start: number, end: number): string | null;
  /** The same as bytes, in the inflater's own buffer: valid until its next call. */
  inflateBytes(input: Uint8Array, start: number, end: number): Buffer | null;
}

export function reusedInflater(zlib: ZlibApi, dictionary: Uint8Array): ReusedInflater {
  /** The native handle's methods used here, as Node 20's zlib.js calls them. */
  interface NativeInflateHandle {
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
  /** The largest text decoded here; a longer one (no record is) goes to the public API. */
  const OUTPUT_BYTES = 64 * 1024;
  const SELF_TEST_TEXT = `{"selfTest":"记录 record ✓","n":12345678901234567890,"pad":"${'ab'.repeat(200)}"}`;
  const decline: ReusedInflater = { inflate: () => null, inflateBytes: () => null };

  let stream: { _handle?: unknown; _writeState?: unknown };
  try {
    stream = zlib.createInflateRaw({ dictionary }) as typeof stream;
  } catch {
    return decline;
  }
  const handle = stream._handle as Partial<NativeInflateHandle> | null | undefined;
  const state = stream._writeState;
  if (
    typeof handle !== 'object' ||
    handle === null ||
    typeof handle.writeSync !== 'function' ||
    typeof handle.reset !== 'function' ||
    !(state instanceof Uint32Array) ||
    state.length < 2
  )
    return decline;
  const native = handle as NativeInflateHandle;

  const output = Buffer.allocUnsafe(OUTPUT_BYTES);
  let failed = false;
  // Set for good when a reset fails: the handle's state is then unknown.
  let broken = false;
  // Replaces zlib.js's own error handler, which would destroy the stream and throw later.
  native.onerror = () => {
    failed = true;
  };
  const inflateBytes = (input: Uint8Array, start: number, end: number): Buffer | null => {
    if (broken || !(start >= 0 && start <= end && end <= input.length)) return null;
    failed = false;
    try {
      native.writeSync(zlib.constants.Z_FINISH, input, start, end - start, output, 0, OUTPUT_BYTES);
    } catch {
      failed = true;
    }
    const outLeft = state[0] as number;
    const inLeft = state[1] as number;
    const bytes = !failed && inLeft === 0 && outLeft > 0 ? output.subarray(0, OUTPUT_BYTES - outLeft) : null;
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
    return bytes;
  };
  const inflater: ReusedInflater & { stream: unknown } = {
    // Held so the stream that owns the handle lives as long as this decoder.
    stream,
    inflateBytes,
    inflate(input, start, end) {
      const bytes = inflateBytes(input, start, end);
      return bytes === null ? null : bytes.toString('utf8');
    },
  };
  try {
    const packed = zlib.deflateRawSync(SELF_TEST_TEXT, { level: 9, dictionary });
    for (let i = 0; i < 2; i++)
      if (inflater.inflate(packed, 0, packed.length) !== SELF_TEST_TEXT) return decline;
  } catch {
    return decline;
  }
  return inflater;
}
