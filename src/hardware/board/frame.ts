/** EVB/1 frames (§2): version, type, seq, len, payload, CRC-16 — COBS-encoded, 0x00-delimited. */
import { cobsDecode, cobsEncode } from './cobs.js';
import { crc16 } from './crc.js';

export const PROTOCOL_VERSION = 1;
export const MAX_PAYLOAD = 200;
/** Longest encoded frame (without its delimiter) a receiver accepts. */
export const MAX_ENCODED = 256;

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export type LineError = 'cobs' | 'length' | 'crc' | 'version' | 'overflow';

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: LineError };

/** The decoded bytes (header, payload, CRC) of a frame. */
export function frameBytes(f: Frame): Uint8Array {
  if (f.payload.length > MAX_PAYLOAD)
    throw new RangeError(`payload of ${f.payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const b = new Uint8Array(4 + f.payload.length + 2);
  b[0] = PROTOCOL_VERSION;
  b[1] = f.type & 0xff;
  b[2] = f.seq & 0xff;
  b[3] = f.payload.length;
  b.set(f.payload, 4);
  const crc = crc16(b, 0, 4 + f.payload.length);
  b[4 + f.payload.length] = crc >> 8;
  b[5 + f.payload.length] = crc & 0xff;
  return b;
}

/** Wire bytes: COBS(frame) followed by the 0x00 delimiter. */
export function encodeFrame(f: Frame): Uint8Array {
  const enc = cobsEncode(frameBytes(f));
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

/** Validates the decoded bytes of one frame. */
export function parseFrameBytes(b: Uint8Array): DecodeResult {
  if (b.length < 6) return { ok: false, error: 'length' };
  if (b[0] !== PROTOCOL_VERSION) {
    // A wrong version with a valid CRC is a version error; otherwise it is just noise.
    return crcOk(b) ? { ok: false, error: 'version' } : { ok: false, error: 'crc' };
  }
  const len = b[3]!;
  if (len > MAX_PAYLOAD || b.length !== 6 + len) return { ok: false, error: 'length' };
  if (!crcOk(b)) return { ok: false, error: 'crc' };
  return { ok: true, frame: { type: b[1]!, seq: b[2]!, payload: b.slice(4, 4 + len) } };
}

function crcOk(b: Uint8Array): boolean {
  const n = b.length - 2;
  return crc16(b, 0, n) === ((b[n]! << 8) | b[n + 1]!);
}

/** Decodes one COBS-encoded frame (delimiter already stripped). */
export function decodeFrame(encoded: Uint8Array): DecodeResult {
  if (encoded.length > MAX_ENCODED) return { ok: false, error: 'overflow' };
  const raw = cobsDecode(encoded);
  if (!raw) return { ok: false, error: 'cobs' };
  return parseFrameBytes(raw);
}

/**
 * Splits a byte stream into frames. Any damage costs at most the frames it touches: the reader
 * resynchronises at the next 0x00. Empty segments (back-to-back delimiters) are idle line noise,
 * not errors — senders may prefix a frame with 0x00 to flush a half-received one.
 */
export class FrameReader {
  private buf = new Uint8Array(MAX_ENCODED);
  private n = 0;
  private discarding = false;

  constructor(
    private readonly onFrame: (f: Frame) => void,
    private readonly onError: (e: LineError) => void = () => undefined,
  ) {}

  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === 0) {
        if (this.discarding) this.discarding = false;
        else if (this.n > 0) this.finish();
        this.n = 0;
        continue;
      }
      if (this.discarding) continue;
      if (this.n === MAX_ENCODED) {
        this.discarding = true;
        this.n = 0;
        this.onError('overflow');
        continue;
      }
      this.buf[this.n++] = byte;
    }
  }

  reset(): void {
    this.n = 0;
    this.discarding = false;
  }

  private finish(): void {
    const r = decodeFrame(this.buf.subarray(0, this.n));
    if (r.ok) this.onFrame(r.frame);
    else this.onError(r.error);
  }
}
