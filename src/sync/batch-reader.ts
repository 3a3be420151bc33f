import type { Db } from '../store/db.js';
import { pendingRecordJsonBetween } from '../store/outbox.js';
import type { BodyBuilder, PreparedBody } from './prepared-body.js';

/**
 * Records read per slice of a batch: about half a millisecond of work each here (reading and
 * unpacking a record takes ~8 µs), so a key press arriving meanwhile waits about that long.
 */
export const READ_SLICE_RECORDS = 50;

/** A record of a batch: what sending and settling it needs besides its bytes. */
export interface BatchRecord {
  recordId: string;
  deviceSeq: number;
}

/** A batch as read: its records in deviceSeq order, and its body, built and hashed as they were read. */
export interface ReadBatch {
  batchId: string;
  records: BatchRecord[];
  body: PreparedBody;
}

/** Lets timers and I/O (a key press on the serial port) run before the next slice of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const COMMA = Buffer.from(',');
const CLOSE_BATCH = Buffer.from(']}');

/** A batch body up to its first record. */
function batchOpening(batchId: string): Buffer {
  return Buffer.from(`{"batchId":"${batchId}","records":[`);
}

/** The bytes of a body around its records: a batchId is a UUID, 36 characters. */
export const BATCH_ENVELOPE_BYTES = batchOpening('0'.repeat(36)).length + CLOSE_BATCH.length;

/** Which pending records a batch may take (readBatch). */
export interface BatchRange {
  afterSeq: number;
  throughSeq: number;
  limit: number;
  maxBytes: number;
}

/**
 * The batch `batchId` of the pending records after `afterSeq` up to `throughSeq`, in order,
 * until `limit` records or `maxBytes` of records (joined by commas; the first record always goes,
 * however large); null when none is pending.
 *
 * Read a slice at a time with the event loop free between slices, so a citizen's key press waits
 * for one slice at most, not a whole batch. The body (`{"batchId":…,"records":[…]}`) is built as
 * the records are read, one part a slice, and hashed for the request's signature as it grows
 * (`body`, from the platform client): the request then goes out without a pass over the whole
 * body while the platform waits for it. Each record's sealed JSON goes in byte for byte:
 * re-serialising could change what its hash covers.
 */
export async function readBatch(
  db: Db,
  body: BodyBuilder,
  batchId: string,
  range: BatchRange,
): Promise<ReadBatch | null> {
  const { throughSeq, limit, maxBytes } = range;
  body.append(batchOpening(batchId));
  const records: BatchRecord[] = [];
  let size = 0;
  let cursor = range.afterSeq;
  for (;;) {
    const want = Math.min(READ_SLICE_RECORDS, limit - records.length);
    const slice = pendingRecordJsonBetween(db, cursor, throughSeq, want);
    const parts: Buffer[] = [];
    let partBytes = 0;
    let full = false;
    for (const r of slice) {
      const add = r.json.length + (records.length > 0 ? 1 : 0);
      if (records.length > 0 && size + add > maxBytes) {
        full = true;
        break;
      }
      size += add;
      partBytes += add;
      if (records.length > 0) parts.push(COMMA);
      parts.push(r.json);
      records.push({ recordId: r.recordId, deviceSeq: r.deviceSeq });
    }
    // One part a slice: the request writes each part to the socket on its own.
    if (parts.length > 0) body.append(Buffer.concat(parts, partBytes));
    const last = slice[slice.length - 1];
    if (full || slice.length < want || records.length >= limit || !last) break;
    cursor = last.deviceSeq;
    await yieldToEventLoop();
  }
  if (records.length === 0) return null;
  body.append(CLOSE_BATCH);
  return { batchId, records, body: body.finish() };
}
