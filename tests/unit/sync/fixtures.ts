import { join } from 'node:path';
import { formatCst } from '../../../src/domain/time.js';
import type { PlatformRecord, UnsealedRecord } from '../../../src/domain/record.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { appendRecords } from '../../../src/store/records.js';

export const T0 = Date.UTC(2026, 8, 30, 2, 0, 0);

export interface RecordOpts {
  /** null = unrated */
  satisfaction?: number | null;
  projectNo?: string;
  serviceNumber?: number;
  evalDetail?: string;
  writingEvaluation?: string;
  evaluationId?: string;
}

/** A plausible record for index i (unique evaluationId and case unless told otherwise). */
export function makeUnsealed(i: number, o: RecordOpts = {}, nowMs = T0 + i * 1000): UnsealedRecord {
  const sat = o.satisfaction === undefined ? 5 : o.satisfaction;
  const rec: UnsealedRecord = {
    evaluationId: o.evaluationId ?? `E${i.toString(36).toUpperCase().padStart(6, '0')}T${process.pid}`,
    projectNo: o.projectNo ?? `370900-2026-${String(i).padStart(6, '0')}`,
    serviceNumber: o.serviceNumber ?? 1,
    taskCode: '370900-XK-0001',
    taskName: '个体工商户设立登记',
    promiseType: 1,
    hallCode: 'H370900001',
    windowNo: '12',
    areaCode: '370900',
    staffId: 'T0107',
    staffName: '李明',
    pf: '4',
    status: sat === null ? 'unrated' : 'rated',
    startedTime: formatCst(nowMs - 30_000),
    deviceTimeMs: nowMs,
    clockOffsetMs: 0,
  };
  if (sat !== null) {
    rec.satisfaction = sat;
    rec.inputSource = 'key';
    rec.assessTime = formatCst(nowMs);
    const detail = o.evalDetail ?? (sat <= 2 ? '115' : undefined);
    if (detail !== undefined && detail !== '') {
      rec.evalDetail = detail;
      rec.normVersion = 'national-2020-05';
    }
    if (o.writingEvaluation !== undefined) rec.writingEvaluation = o.writingEvaluation;
  }
  return rec;
}

export function openPadDb(dir: string, name = 'kiosk.db'): Db {
  return openDatabase(join(dir, name));
}

/** Seals `n` records (from index `from`) into the chain and the outbox, in chunks of one transaction each. */
export function seedRecords(
  db: Db,
  n: number,
  opts: { from?: number; each?: (i: number) => RecordOpts; nowMs?: number; chunk?: number } = {},
): PlatformRecord[] {
  const from = opts.from ?? 0;
  const chunk = opts.chunk ?? 1000;
  const out: PlatformRecord[] = [];
  for (let start = 0; start < n; start += chunk) {
    const part: UnsealedRecord[] = [];
    for (let i = start; i < Math.min(n, start + chunk); i++)
      part.push(makeUnsealed(from + i, opts.each?.(from + i) ?? {}));
    db.transaction(() => out.push(...appendRecords(db, part, opts.nowMs ?? T0)))();
  }
  return out;
}

/** Upload state per record and appeal; a record without an outbox row was delivered (outbox.ts markDelivered). */
export function outboxStates(db: Db): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT state, COUNT(*) AS n FROM (
         SELECT COALESCE(o.state, 'delivered') AS state FROM records r
           LEFT JOIN outbox o ON o.kind = 'record' AND o.ref = r.record_id
         UNION ALL SELECT state FROM outbox WHERE kind = 'appeal')
       GROUP BY state`,
    )
    .all() as Array<{
    state: string;
    n: number;
  }>;
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export async function waitFor(cond: () => boolean, timeoutMs = 20_000, stepMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const quietLog = (): void => undefined;

export const HEARTBEAT = {
  appVersion: 'test',
  uptimeS: 1,
  screen: 'idle',
  staffId: null,
  outbox: { pending: 0, oldestPendingTime: null, rejected: 0, lastAckTime: null },
  board: { state: 'absent', serial: null, firmware: null, lineErrors: 0 },
  printer: { state: 'absent', paperLow: false, paperOut: false, coverOpen: false },
  db: { sizeBytes: 0, integrity: 'ok' as const, checkedTime: null },
  clockOffsetMs: 0,
};

import type { Clock } from '../../../src/domain/clock.js';
import { DEMO_DEVICE_ID, DEMO_DEVICE_SECRET } from '../../../platform-sim/index.js';
import {
  createSync,
  type CreateSyncOptions,
  type PlatformConfig,
  type SyncService,
} from '../../../src/sync/index.js';

export const FAST_BACKOFF = { baseMs: 20, capMs: 300 };

/** A sync service for tests: fast back-off, a long batch interval unless told, quiet log. */
export function testSync(
  db: Db,
  dir: string,
  baseUrl: string,
  o: {
    config?: Partial<PlatformConfig>;
    clock?: Clock;
    extra?: Partial<CreateSyncOptions>;
    logs?: string[];
  } = {},
): SyncService {
  return createSync({
    db,
    config: {
      baseUrl,
      deviceId: DEMO_DEVICE_ID,
      deviceSecret: DEMO_DEVICE_SECRET,
      signature: 'hmac-sha256',
      requestTimeoutMs: 3000,
      batchIntervalMs: 60_000,
      refdataRefreshMin: 600,
      heartbeatIntervalS: 600,
      ...o.config,
    },
    clock: o.clock ?? { now: () => Date.now() },
    dataDir: dir,
    appVersion: 'test',
    heartbeat: () => HEARTBEAT,
    log: o.logs ? (_level, m, f) => o.logs?.push(`${m} ${JSON.stringify(f ?? {})}`) : quietLog,
    tuning: { backoff: FAST_BACKOFF, statusThrottleMs: 10 },
    ...o.extra,
  });
}

/** Every record the pad sealed is stored once by the platform with exactly the same content. */
export function missingOrDifferent(
  padRecords: PlatformRecord[],
  simDb: import('better-sqlite3').Database,
  canonical: (v: unknown) => string,
): string[] {
  const get = simDb.prepare('SELECT content FROM evaluations WHERE evaluation_id = ?');
  const bad: string[] = [];
  for (const r of padRecords) {
    const row = get.get(r.evaluationId) as { content: string } | undefined;
    if (!row || row.content !== canonical(r)) bad.push(r.evaluationId);
  }
  return bad;
}
