import { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import type { ClockOffset } from '../store/clock-offset.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../domain/logger.js';
import type { RejectedItem } from '../store/outbox.js';
import type { BackoffPolicy } from './backoff.js';
import type { CaseVisitsAnswer } from './case-visits.js';
import type { HeartbeatBody } from './heartbeat.js';
import { decodeSecret, type SignatureAlgorithm } from './signing.js';
import type { SyncHooks } from './uploader.js';

/** The uploader's settings, its status and its interface to the pad (the service is index.ts). */
export interface PlatformConfig {
  baseUrl: string;
  deviceId: string;
  /** base64 of 32 bytes */
  deviceSecret: string;
  signature: SignatureAlgorithm;
  requestTimeoutMs: number;
  batchIntervalMs: number;
  refdataRefreshMin: number;
  heartbeatIntervalS: number;
}

export const platformConfigSchema: z.ZodType<PlatformConfig> = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  deviceId: z.string().min(1).max(64),
  deviceSecret: z.string().refine((s) => {
    try {
      decodeSecret(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be the base64 of 32 bytes'),
  signature: z.enum(['hmac-sha256', 'hmac-sm3']),
  requestTimeoutMs: z.number().int().min(50).max(120_000).default(15_000),
  batchIntervalMs: z.number().int().min(10).max(3_600_000).default(10_000),
  refdataRefreshMin: z.number().min(0.01).max(1440).default(30),
  heartbeatIntervalS: z.number().min(0.05).max(3600).default(60),
}) as unknown as z.ZodType<PlatformConfig>;

export interface SyncStatus {
  /** The platform's last answer to anything we sent was an HTTP answer below 500. */
  online: boolean;
  pending: number;
  rejected: number;
  /** Creation time (pad clock, epoch ms) of the oldest record or appeal still queued. */
  oldestPendingMs: number | null;
  /** Time of the last delivery the platform acknowledged (pad clock, epoch ms). */
  lastAckMs: number | null;
  lastError: string | null;
  /** When the uploader will try next (pad clock, epoch ms); null when idle with nothing queued. */
  nextAttemptMs: number | null;
  rejectedItems: RejectedItem[];
  refdata: Record<string, { etag: string | null; fetchedMs: number } | null>;
}

export interface SyncService {
  start(): void;
  stop(): Promise<void>;
  /** Called by the core after each commit; urgent (a 差评 or an appeal) goes out at once. */
  kick(opts: { urgent: boolean }): void;
  /** The technician's button: clears a 400 stop, ignores back-off (not Retry-After), uploads and refreshes now. */
  syncNow(): Promise<SyncStatus>;
  status(): SyncStatus;
  onStatus(l: (s: SyncStatus) => void): () => void;
  /** The highest visit the platform holds for a case (GET /v1/cases), bounded by `timeoutMs`. */
  caseVisits(projectNo: string, hallCode: string, timeoutMs: number): Promise<CaseVisitsAnswer>;
  clock: ClockOffset;
}

export interface SyncTuning {
  backoff?: BackoffPolicy;
  random?: () => number;
  maxBatchRecords?: number;
  maxBatchBytes?: number;
  statusThrottleMs?: number;
}

export interface CreateSyncOptions {
  db: Db;
  config: PlatformConfig;
  clock: Clock;
  dataDir: string;
  appVersion: string;
  heartbeat: () => HeartbeatBody;
  /** the pad's levelled logger; each message keeps its level (a child logger names the part) */
  log: Logger;
  onRefdata?: (name: string) => void;
  /** The pad's one clock-offset estimate (sealing reads it too); made here when not handed in. */
  clockOffset?: ClockOffset;
  /** Test seams: kill points for the crash tests, faster back-off. */
  hooks?: SyncHooks;
  tuning?: SyncTuning;
}
