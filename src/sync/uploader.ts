import { randomUUID } from 'node:crypto';
import type { Logger } from '../domain/logger.js';
import { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import { formatCst } from '../domain/time.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { markDelivered, markRejected, noteAttempt, pendingAppeals } from '../store/outbox.js';
import { parseRetryAfter } from './backoff.js';
import {
  BATCH_ENVELOPE_BYTES,
  readBatch,
  yieldToEventLoop,
  type BatchRange,
  type BatchRecord,
  type ReadBatch,
} from './batch-reader.js';
import { errorCodeOf, jsonOf, TransportError, type PlatformClient, type PlatformResponse } from './http.js';

export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 1024 * 1024;
/**
 * Records settled per slice of an answer: about the time of a slice read (batch-reader.ts;
 * deleting a record's outbox row takes ~4 µs), so a key press waits about that long. Fewer,
 * larger commits also write less: each commit writes the outbox pages it touched to the WAL
 * again, and 50 a slice (the read slice, before) wrote ~440 KB a batch against ~240 KB at 125
 * (measured on 10,000 records).
 */
export const SETTLE_SLICE_RECORDS = 125;
const INFLIGHT_KEY = 'sync_inflight_batch';
const ATTENTION_KEY = 'sync_attention';

/**
 * Points where the kill tests stop the process (see tests/integration/sync/kill.test.ts).
 * `settled_part`: after a slice of an answered batch was settled, before the rest is.
 */
export type SyncHookPoint = 'before_send' | 'after_response' | 'settled_part';
export interface SyncHooks {
  point?: (name: SyncHookPoint, info: { batchId: string; firstSeq: number; lastSeq: number }) => void;
}

export type UploadOutcome =
  | { kind: 'idle' }
  | { kind: 'sent'; accepted: number; duplicate: number; rejected: number; missing: number }
  /** 413: the batch limit was halved; try again at once. */
  | { kind: 'shrunk'; limit: number }
  /** 5xx, 429, no answer: back off (Retry-After when the platform gave one). */
  | { kind: 'retry'; error: string; retryAfterMs: number | null; answered: boolean }
  /** 401/403: configuration or provisioning problem; back off, technician must look. */
  | { kind: 'auth'; error: string }
  /** 400 (or a 413 for a single record): the pad sent something it must not resend as is. */
  | { kind: 'attention'; error: string };

const inflightSchema = z.object({
  batchId: z.string(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  count: z.number().int(),
});
type Inflight = z.infer<typeof inflightSchema>;

/** A batch on its way: its request, and the read of the batch after it. */
interface Flight {
  inflight: Inflight;
  records: BatchRecord[];
  sending: Promise<PlatformResponse>;
  reading: Promise<ReadBatch | null>;
  /** The batch limit it was read under. */
  limit: number;
}

/** The in-flight mark of a batch read under its own (new) batchId. */
function inflightOf(batch: ReadBatch): Inflight {
  const first = batch.records[0] as BatchRecord;
  const last = batch.records[batch.records.length - 1] as BatchRecord;
  return {
    batchId: batch.batchId,
    firstSeq: first.deviceSeq,
    lastSeq: last.deviceSeq,
    count: batch.records.length,
  };
}

const attentionSchema = z.object({
  batchId: z.string(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  message: z.string(),
  appVersion: z.string(),
  atMs: z.number(),
});
export type Attention = z.infer<typeof attentionSchema>;

const batchResponseSchema = z.object({
  results: z.array(
    z.object({
      evaluationId: z.string(),
      status: z.enum(['accepted', 'duplicate', 'rejected']),
      code: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
  serverTime: z.number().optional(),
});

const appealResponseSchema = z.object({
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  code: z.string().optional(),
});

function readJsonMeta<T>(db: Db, key: string, schema: z.ZodType<T>): T | null {
  const raw = getMeta(db, key);
  if (raw === undefined || raw === '') return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describe(res: PlatformResponse): string {
  const code = errorCodeOf(res);
  const text = code ?? res.body.toString('utf8').slice(0, 200);
  return `HTTP ${res.status}${text ? ` ${text}` : ''}`;
}

/**
 * Moves the outbox to the platform, one batch per call (docs/protocols/platform-api.md §2 and §5). All state that
 * must survive a restart lives in the database: the in-flight batch (so a retry after a crash
 * reuses its batchId) and a 400 "needs attention" stop.
 */
export class Uploader {
  /** Shrinks on 413, grows back after successes. */
  private limit = MAX_BATCH_RECORDS;
  /** The batch sent while the last one was being settled (sendAhead), to be settled next. */
  private ahead: Flight | null = null;

  constructor(
    private readonly deps: {
      db: Db;
      client: PlatformClient;
      clock: Clock;
      appVersion: string;
      log: Logger;
      hooks?: SyncHooks;
      maxRecords?: number;
      maxBytes?: number;
    },
  ) {
    this.limit = Math.min(MAX_BATCH_RECORDS, deps.maxRecords ?? MAX_BATCH_RECORDS);
    // A newer app version may have fixed what the platform refused: give it a fresh try.
    const att = this.attention();
    if (att && att.appVersion !== deps.appVersion) this.clearAttention();
  }

  attention(): Attention | null {
    return readJsonMeta(this.deps.db, ATTENTION_KEY, attentionSchema);
  }

  /** The technician's "retry" after a 400. */
  clearAttention(): void {
    setMeta(this.deps.db, ATTENTION_KEY, '');
  }

  inflight(): Inflight | null {
    return readJsonMeta(this.deps.db, INFLIGHT_KEY, inflightSchema);
  }

  batchLimit(): number {
    return this.limit;
  }

  /**
   * The next batch: the persisted in-flight one if any (same batchId, same records), else a new
   * one. Read a slice at a time, yielding to the event loop between slices, so a citizen's key
   * press waits for one slice at most, not a whole batch. The in-flight mark is written after the
   * last slice: a crash while reading leaves nothing to resume.
   */
  private async nextBatch(): Promise<{ inflight: Inflight; batch: ReadBatch } | null> {
    const { db } = this.deps;
    const saved = this.inflight();
    if (saved) {
      const batch = await this.read(saved.batchId, {
        afterSeq: saved.firstSeq - 1,
        throughSeq: saved.lastSeq,
        limit: saved.count,
        maxBytes: Infinity,
      });
      if (batch) return { inflight: saved, batch };
      setMeta(db, INFLIGHT_KEY, '');
    }
    const batch = await this.read(randomUUID(), this.rangeAfter(0, this.limit));
    if (!batch) return null;
    const inflight = inflightOf(batch);
    setMeta(db, INFLIGHT_KEY, JSON.stringify(inflight));
    return { inflight, batch };
  }

  /** What the records of one batch may take: the byte limit less the envelope. */
  private recordBytes(): number {
    return (this.deps.maxBytes ?? MAX_BATCH_BYTES) - BATCH_ENVELOPE_BYTES;
  }

  /** A new batch's records: the pending ones after `afterSeq`, within the batch limits. */
  private rangeAfter(afterSeq: number, limit: number): BatchRange {
    return { afterSeq, throughSeq: Number.MAX_SAFE_INTEGER, limit, maxBytes: this.recordBytes() };
  }

  /** The batch `batchId` of the pending records in a range (batch-reader.ts). */
  private read(batchId: string, range: BatchRange): Promise<ReadBatch | null> {
    return readBatch(this.deps.db, this.deps.client.bodyBuilder(), batchId, range);
  }

  /**
   * One batch of evaluation records. While the platform answers it, the next batch is read
   * (launch): the wait for the network is most of a batch's time, and reading is most of the
   * rest. When the answer is a whole 200, that next batch is sent before this one is settled
   * (sendAhead), so settling overlaps the platform's work on the next. Otherwise what was
   * read is dropped and the next batch is read afresh from the outbox. Nothing about the next
   * batch is written until it is its turn: its in-flight mark, once this batch is answered.
   */
  async sendRecords(): Promise<UploadOutcome> {
    const att = this.attention();
    if (att) return { kind: 'attention', error: att.message };
    let flight = this.ahead;
    this.ahead = null;
    if (!flight) {
      const next = await this.nextBatch();
      if (!next) return { kind: 'idle' };
      flight = this.launch(next.inflight, next.batch);
    }
    try {
      return await this.settle(flight);
    } finally {
      // Awaited on every path, so no read outlives this call (stop() closes the database after
      // it); when a batch went ahead, sendAhead awaited this read, and quiet() awaits its own.
      if (this.ahead === null) await flight.reading;
    }
  }

  /**
   * The batch sent ahead and its read-ahead, left alone: stop() calls this before the database
   * closes. The batch's in-flight mark is in the database, so the next start sends it again
   * under the same batchId and the platform answers it as it did.
   */
  async quiet(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead) await Promise.allSettled([ahead.sending, ahead.reading]);
  }

  /** Sends a batch whose in-flight mark is written, and starts reading the one after it. */
  private launch(inflight: Inflight, batch: ReadBatch): Flight {
    this.deps.hooks?.point?.('before_send', inflight);
    const sending = this.deps.client.request('POST', '/v1/evaluations:batch', batch.body);
    // Handled here so that a batch sent ahead and never settled (the pad stopped) is no
    // unhandled rejection; settle still awaits `sending` itself and sees the error.
    sending.catch(() => undefined);
    const limit = this.limit;
    // Never rejects: a failed read ahead only means the next batch is read when its turn comes.
    // Its batchId is only a name in memory until sendAhead writes its in-flight mark. It starts
    // after a turn of the event loop: the request's body goes to the socket on the next tick, and
    // a slice read before that (0.5 ms or more) would keep the platform waiting for it.
    const reading = yieldToEventLoop()
      .then(() => this.read(randomUUID(), this.rangeAfter(inflight.lastSeq, limit)))
      .catch((err: Error) => {
        this.deps.log('warn', 'reading the next batch ahead failed; it is read when its turn comes', {
          error: err.message,
        });
        return null;
      });
    return { inflight, records: batch.records, sending, reading, limit };
  }

  /**
   * After a whole answer to `flight` (a result for every record), before any of it is settled:
   * the batch read ahead goes out now, and true is returned. Its in-flight mark replaces the
   * answered batch's (that one is answered, as clearing its mark says) and is on disk before the
   * request leaves, so a restart resends it under its batchId. Its records follow the answered
   * batch's last record and were pending when read; only the uploader changes that, so they
   * still are. `withTheMark` runs in the transaction that writes the mark (the answered batch's
   * rejections). False when nothing was read ahead (or under another batch limit): the answered
   * batch's mark is then cleared with its first slice.
   */
  private async sendAhead(flight: Flight, withTheMark: () => void): Promise<boolean> {
    const batch = await flight.reading;
    if (!batch || this.limit !== flight.limit) return false;
    const inflight = inflightOf(batch);
    const { db } = this.deps;
    db.transaction(() => {
      setMeta(db, INFLIGHT_KEY, JSON.stringify(inflight));
      withTheMark();
    })();
    this.ahead = this.launch(inflight, batch);
    return true;
  }

  /** The platform's answer to one batch, folded into the outbox. */
  private async settle(flight: Flight): Promise<UploadOutcome> {
    const { inflight, records, sending } = flight;
    const { db, clock, log, hooks } = this.deps;
    const refs = records.map((r) => r.recordId);
    let res: PlatformResponse;
    try {
      res = await sending;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      noteAttempt(db, refs, err.message, clock.now());
      return { kind: 'retry', error: err.message, retryAfterMs: null, answered: false };
    }
    if (res.status === 200) {
      const parsed = batchResponseSchema.safeParse(jsonOf(res));
      if (!parsed.success) {
        noteAttempt(db, refs, 'unreadable 200 answer', clock.now());
        return { kind: 'retry', error: 'unreadable answer to a batch', retryAfterMs: null, answered: true };
      }
      hooks?.point?.('after_response', inflight);
      const byId = new Map(parsed.data.results.map((r) => [r.evaluationId, r]));
      const now = clock.now();
      // The answer's rejections are settled in the transaction that takes this batch's in-flight
      // mark away: a rejected record is never sent again unchanged (platform-api §2), and a pad
      // stopped before the rest is settled sends only delivered records again (answered
      // `duplicate`). Rejections are rare; the rest goes in slices below.
      const settleRejections = () => {
        for (const ref of refs) {
          const r = byId.get(ref);
          if (r?.status === 'rejected') markRejected(db, ref, r.code ?? 'rejected', r.message ?? '', now);
        }
      };
      // A whole answer: the next batch goes out before this one is settled, so that the platform
      // works on it meanwhile. Its records come after this batch's, so the two never overlap; a
      // pad stopped meanwhile sends this one's unsettled records again later, answered
      // `duplicate` as below.
      const markReplaced =
        refs.every((ref) => byId.has(ref)) && (await this.sendAhead(flight, settleRejections));
      // Its body leaves on the next tick: settling waits for that.
      if (markReplaced) await yieldToEventLoop();
      let accepted = 0;
      let duplicate = 0;
      let rejected = 0;
      let missing = 0;
      // Settled a slice per transaction with the event loop free between them, as the batch was
      // read. The batch is answered: its in-flight mark was replaced by the next batch's above,
      // or goes with the first slice. A pad stopped before the last slice sends the rest again in
      // a new batch, and the platform answers them `duplicate` (delivered) by their evaluationId:
      // a batchId is never reused for another set of records.
      for (let from = 0; from < refs.length; from += SETTLE_SLICE_RECORDS) {
        const lastSlice = from + SETTLE_SLICE_RECORDS >= refs.length;
        db.transaction(() => {
          if (from === 0 && !markReplaced) {
            setMeta(db, INFLIGHT_KEY, '');
            settleRejections();
          }
          const delivered: string[] = [];
          for (const ref of refs.slice(from, from + SETTLE_SLICE_RECORDS)) {
            const r = byId.get(ref);
            if (!r) {
              missing += 1;
              continue;
            }
            if (r.status === 'rejected') {
              rejected += 1; // settled with the in-flight mark
            } else {
              if (r.status === 'accepted') accepted += 1;
              else duplicate += 1;
              delivered.push(ref);
            }
          }
          markDelivered(db, delivered, now);
        })();
        if (lastSlice) break;
        hooks?.point?.('settled_part', inflight);
        await yieldToEventLoop();
      }
      if (missing > 0)
        log('warn', 'platform answered without a result for some records; they stay queued', {
          batchId: inflight.batchId,
          missing,
        });
      if (rejected > 0) log('warn', 'platform rejected records', { batchId: inflight.batchId, rejected });
      if (this.limit < MAX_BATCH_RECORDS && (this.deps.maxRecords ?? MAX_BATCH_RECORDS) > this.limit) {
        this.limit = Math.min(this.deps.maxRecords ?? MAX_BATCH_RECORDS, this.limit * 2);
      }
      return { kind: 'sent', accepted, duplicate, rejected, missing };
    }
    const error = describe(res);
    noteAttempt(db, refs, error, clock.now());
    if (res.status === 413) {
      // The platform stored nothing: a smaller batch gets a new batchId.
      setMeta(db, INFLIGHT_KEY, '');
      if (records.length === 1) return this.stop(inflight, `${error} for a single record`);
      this.limit = Math.max(1, Math.floor(records.length / 2));
      log('info', 'batch too large, halving', { limit: this.limit });
      return { kind: 'shrunk', limit: this.limit };
    }
    if (res.status === 400) {
      setMeta(db, INFLIGHT_KEY, '');
      return this.stop(inflight, error);
    }
    if (res.status === 401 || res.status === 403) return { kind: 'auth', error };
    if (res.status === 429)
      return {
        kind: 'retry',
        error,
        retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
        answered: true,
      };
    return {
      kind: 'retry',
      error,
      retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
      answered: res.status < 500,
    };
  }

  private stop(inflight: Inflight, message: string): UploadOutcome {
    const att: Attention = {
      ...inflight,
      message,
      appVersion: this.deps.appVersion,
      atMs: this.deps.clock.now(),
    };
    setMeta(this.deps.db, ATTENTION_KEY, JSON.stringify(att));
    this.deps.log(
      'error',
      'platform refused a batch as malformed; uploads stopped until a technician retries',
      {
        ...att,
      },
    );
    return { kind: 'attention', error: message };
  }

  /**
   * Appeals (§5), one request each. An appeal waits until its record has left the outbox: the
   * platform can only judge an appeal against a rating it has.
   */
  async sendAppeals(limit = 20): Promise<UploadOutcome> {
    const { db, client, clock } = this.deps;
    const ready = pendingAppeals(db, limit).filter((a) => {
      const row = db
        .prepare(`SELECT state FROM outbox WHERE kind = 'record' AND ref = ?`)
        .get(a.evaluationId) as { state: string } | undefined;
      return row === undefined || row.state !== 'pending';
    });
    if (ready.length === 0) return { kind: 'idle' };
    let sent = 0;
    let rejected = 0;
    for (const a of ready) {
      const body = Buffer.from(
        JSON.stringify({
          appealId: a.appealId,
          evaluationId: a.evaluationId,
          staffId: a.staffId,
          reason: a.reason,
          submittedTime: formatCst(a.submittedMs),
        }),
        'utf8',
      );
      let res: PlatformResponse;
      try {
        res = await client.request('POST', '/v1/appeals', body);
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        noteAttempt(db, [a.appealId], err.message, clock.now(), 'appeal');
        return { kind: 'retry', error: err.message, retryAfterMs: null, answered: false };
      }
      const parsed = res.status === 200 ? appealResponseSchema.safeParse(jsonOf(res)) : null;
      if (!parsed?.success) {
        const error = res.status === 200 ? 'unreadable answer to an appeal' : describe(res);
        noteAttempt(db, [a.appealId], error, clock.now(), 'appeal');
        if (res.status === 401 || res.status === 403) return { kind: 'auth', error };
        if (res.status === 400) {
          // Only this appeal is at fault: park it as rejected so it neither blocks nor repeats.
          markRejected(db, a.appealId, 'bad_request', error, clock.now(), 'appeal');
          db.prepare(`UPDATE appeals SET status = 'rejected', result_code = 'bad_request' WHERE id = ?`).run(
            a.appealId,
          );
          rejected += 1;
          continue;
        }
        return {
          kind: 'retry',
          error,
          retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
          answered: res.status < 500,
        };
      }
      const { status, code } = parsed.data;
      const now = clock.now();
      db.transaction(() => {
        db.prepare('UPDATE appeals SET status = ?, result_code = ? WHERE id = ?').run(
          status,
          code ?? null,
          a.appealId,
        );
        if (status === 'rejected') markRejected(db, a.appealId, code ?? 'rejected', '', now, 'appeal');
        else markDelivered(db, [a.appealId], now, 'appeal');
      })();
      if (status === 'rejected') rejected += 1;
      else sent += 1;
    }
    return { kind: 'sent', accepted: sent, duplicate: 0, rejected, missing: 0 };
  }
}
