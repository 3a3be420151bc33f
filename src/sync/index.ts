import { performance } from 'node:perf_hooks';
import { outboxStats, rejectedItems } from '../store/outbox.js';
import { refdataInfo } from '../store/refdata.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { ClockOffset } from '../store/clock-offset.js';
import { heartbeatBodySchema, type HeartbeatBody } from './heartbeat.js';
import { PlatformClient, TransportError } from './http.js';
import { lookupCaseVisits, type CaseVisitsAnswer } from './case-visits.js';
import { RefdataSync } from './refdata-sync.js';
import { decodeSecret } from './signing.js';
import { Uploader, type UploadOutcome } from './uploader.js';
import {
  platformConfigSchema,
  type CreateSyncOptions,
  type PlatformConfig,
  type SyncService,
  type SyncStatus,
} from './types.js';

export type { HeartbeatBody } from './heartbeat.js';
export type { CaseVisitsAnswer } from './case-visits.js';
export type { RejectedItem } from '../store/outbox.js';
export type { SyncHooks, SyncHookPoint } from './uploader.js';
export type { SignatureAlgorithm } from './signing.js';
export { ClockOffset } from '../store/clock-offset.js';
export { heartbeatBodySchema } from './heartbeat.js';
export { platformConfigSchema } from './types.js';
export type { CreateSyncOptions, PlatformConfig, SyncService, SyncStatus, SyncTuning } from './types.js';

export function createSync(opts: CreateSyncOptions): SyncService {
  return new SyncServiceImpl(opts);
}

class SyncServiceImpl implements SyncService {
  readonly clock: ClockOffset;
  private readonly config: PlatformConfig;
  private readonly client: PlatformClient;
  private readonly uploader: Uploader;
  private readonly refdata: RefdataSync;
  private readonly backoff: BackoffPolicy;
  private started = false;
  private stopped = false;
  private uploadTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private refdataTimer: NodeJS.Timeout | null = null;
  private emitTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private refreshing: Promise<void> | null = null;
  private beating: Promise<void> | null = null;
  private failures = 0;
  /** Retry-After: no upload before this (performance.now() time). */
  private holdUntil = 0;
  private nextAttemptMs: number | null = null;
  private lastError: string | null = null;
  private online = false;
  private readonly listeners = new Set<(s: SyncStatus) => void>();

  constructor(private readonly opts: CreateSyncOptions) {
    this.config = platformConfigSchema.parse(opts.config);
    this.backoff = opts.tuning?.backoff ?? DEFAULT_BACKOFF;
    this.clock = opts.clockOffset ?? new ClockOffset(opts.db, opts.clock);
    this.client = new PlatformClient({
      baseUrl: this.config.baseUrl,
      deviceId: this.config.deviceId,
      key: decodeSecret(this.config.deviceSecret),
      algorithm: this.config.signature,
      timeoutMs: this.config.requestTimeoutMs,
      offset: this.clock,
      padClock: opts.clock,
    });
    this.uploader = new Uploader({
      db: opts.db,
      client: this.client,
      clock: opts.clock,
      appVersion: opts.appVersion,
      log: opts.log,
      hooks: opts.hooks,
      maxRecords: opts.tuning?.maxBatchRecords,
      maxBytes: opts.tuning?.maxBatchBytes,
    });
    this.refdata = new RefdataSync({
      db: opts.db,
      client: this.client,
      clock: opts.clock,
      deviceId: this.config.deviceId,
      dataDir: opts.dataDir,
      log: opts.log,
      onRefdata: (name) => {
        opts.onRefdata?.(name);
        this.emitStatus();
      },
    });
    const att = this.uploader.attention();
    if (att) this.lastError = `needs attention: ${att.message}`;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.refreshRefdata();
    this.refdataTimer = setInterval(() => this.refreshRefdata(), this.config.refdataRefreshMin * 60_000);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.config.heartbeatIntervalS * 1000);
    this.scheduleUpload(0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.uploadTimer, this.emitTimer]) if (t) clearTimeout(t);
    for (const t of [this.heartbeatTimer, this.refdataTimer]) if (t) clearInterval(t);
    this.uploadTimer = this.emitTimer = this.heartbeatTimer = this.refdataTimer = null;
    // Destroying the sockets ends in-flight requests now instead of at their timeout.
    this.client.close();
    await Promise.allSettled(
      [this.running, this.refreshing, this.beating].filter((p): p is Promise<void> => p !== null),
    );
    await this.uploader.quiet();
  }

  kick({ urgent }: { urgent: boolean }): void {
    if (!this.started || this.stopped) return;
    if (urgent) {
      if (performance.now() < this.holdUntil) return;
      this.scheduleUpload(0);
    } else if (!this.uploadTimer && !this.running) {
      this.scheduleUpload(this.config.batchIntervalMs);
    }
  }

  async syncNow(): Promise<SyncStatus> {
    if (this.stopped) return this.status();
    if (this.uploader.attention()) {
      this.uploader.clearAttention();
      this.lastError = null;
    }
    this.failures = 0;
    if (performance.now() >= this.holdUntil) {
      if (this.running) await this.running;
      if (this.uploadTimer) clearTimeout(this.uploadTimer);
      this.uploadTimer = null;
      if (!this.stopped) await this.runUploads();
    }
    await this.refreshRefdata();
    return this.status();
  }

  status(): SyncStatus {
    const { db } = this.opts;
    const ob = outboxStats(db);
    return {
      online: this.online,
      pending: ob.pending,
      rejected: ob.rejected,
      oldestPendingMs: ob.oldestPendingMs,
      lastAckMs: ob.lastAckMs,
      lastError: this.lastError,
      nextAttemptMs: ob.pending > 0 ? this.nextAttemptMs : null,
      rejectedItems: rejectedItems(db),
      refdata: refdataInfo(db),
    };
  }

  onStatus(l: (s: SyncStatus) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  // ---- uploads -------------------------------------------------------------------------------

  private scheduleUpload(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      if (delayMs === 0) this.again = true;
      return;
    }
    if (this.uploadTimer) clearTimeout(this.uploadTimer);
    this.nextAttemptMs = this.opts.clock.now() + delayMs;
    this.uploadTimer = setTimeout(() => {
      this.uploadTimer = null;
      void this.runUploads();
    }, delayMs);
    this.emitStatus();
  }

  private runUploads(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.cycle()
      .catch((err: Error) => {
        // A bug or a database error: log it and keep the loop alive with back-off.
        this.opts.log('warn', 'upload cycle failed', { error: err.message });
        this.lastError = err.message;
        this.failures += 1;
        return backoffDelay(this.failures, this.backoff, this.opts.tuning?.random) as number | null;
      })
      .then((delay) => {
        this.running = null;
        // syncNow() before start() is one pass, not a loop.
        if (this.stopped || !this.started) return;
        if (this.again && performance.now() >= this.holdUntil) {
          this.again = false;
          this.scheduleUpload(0);
        } else {
          this.again = false;
          this.scheduleUpload(delay ?? this.config.batchIntervalMs);
        }
      });
    return this.running;
  }

  /** Drains records, then appeals; returns the delay before the next cycle (null = the batch interval). */
  private async cycle(): Promise<number | null> {
    // An attempt is under way: "next attempt" is now, not unknown (the technician's sync screen
    // would otherwise show nothing planned while records wait).
    this.nextAttemptMs = this.opts.clock.now();
    for (const send of [() => this.uploader.sendRecords(), () => this.uploader.sendAppeals()]) {
      for (;;) {
        if (this.stopped) return null;
        const out = await send();
        const verdict = this.absorb(out);
        if (verdict === 'continue') continue;
        if (verdict === 'done') break;
        return verdict;
      }
    }
    this.failures = 0;
    return null;
  }

  /** Folds one outcome into the service state: 'continue' (send more now), 'done', or a back-off delay. */
  private absorb(out: UploadOutcome): 'continue' | 'done' | number {
    this.emitStatus();
    switch (out.kind) {
      case 'idle':
        return 'done';
      case 'sent':
        this.online = true;
        this.lastError = null;
        if (out.accepted + out.duplicate + out.rejected === 0) {
          // An answer that settles nothing must not turn into a tight loop.
          this.failures += 1;
          this.lastError = 'platform answered without results';
          return backoffDelay(this.failures, this.backoff, this.opts.tuning?.random);
        }
        this.failures = 0;
        return 'continue';
      case 'shrunk':
        this.online = true;
        return 'continue';
      case 'attention':
        this.online = true;
        this.lastError = `needs attention: ${out.error}`;
        return 'done';
      case 'auth':
        this.online = true;
        this.failures += 1;
        this.lastError = out.error;
        return backoffDelay(this.failures, this.backoff, this.opts.tuning?.random);
      case 'retry': {
        this.online = out.answered;
        this.failures += 1;
        this.lastError = out.error;
        const jitter = backoffDelay(this.failures, this.backoff, this.opts.tuning?.random);
        if (out.retryAfterMs !== null) {
          // Retry-After: 0 must not become a tight loop: never sooner than the back-off base.
          const wait = Math.max(out.retryAfterMs, this.backoff.baseMs);
          this.holdUntil = performance.now() + wait;
          return wait;
        }
        return jitter;
      }
    }
  }

  // ---- reference data and heartbeat ------------------------------------------------------------

  caseVisits(projectNo: string, hallCode: string, timeoutMs: number): Promise<CaseVisitsAnswer> {
    if (this.stopped) return Promise.resolve({ ok: false, reason: 'sync stopped' });
    return lookupCaseVisits(this.client, projectNo, hallCode, timeoutMs);
  }

  private refreshRefdata(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (this.stopped) return Promise.resolve();
    this.refreshing = this.refdata
      .refreshAll()
      .then((r) => {
        const outcomes = [...Object.values(r), ...Object.values(r.calendar)];
        if (outcomes.some((v) => v === 'updated' || v === 'unchanged')) this.online = true;
      })
      .catch((err: Error) => this.opts.log('warn', 'reference data refresh failed', { error: err.message }))
      .finally(() => {
        this.refreshing = null;
        this.emitStatus();
      });
    return this.refreshing;
  }

  private sendHeartbeat(): void {
    if (this.beating || this.stopped) return;
    let body: HeartbeatBody;
    try {
      body = heartbeatBodySchema.parse(this.opts.heartbeat());
    } catch (err) {
      this.opts.log('warn', 'heartbeat figures unusable', { error: (err as Error).message });
      return;
    }
    const path = `/v1/devices/${encodeURIComponent(this.config.deviceId)}/heartbeat`;
    this.beating = this.client
      .request('POST', path, Buffer.from(JSON.stringify(body), 'utf8'))
      .then((res) => {
        this.online = res.status < 500;
      })
      .catch((err: Error) => {
        if (!(err instanceof TransportError))
          this.opts.log('warn', 'heartbeat failed', { error: err.message });
        this.online = false;
      })
      .finally(() => {
        this.beating = null;
        this.emitStatus();
      });
  }

  private emitStatus(): void {
    if (this.listeners.size === 0 || this.emitTimer || this.stopped) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      if (this.stopped) return;
      const s = this.status();
      for (const l of this.listeners) {
        try {
          l(s);
        } catch (err) {
          this.opts.log('error', 'status listener failed', { error: (err as Error).message });
        }
      }
    }, this.opts.tuning?.statusThrottleMs ?? 200);
  }
}
