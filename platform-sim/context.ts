import type { Statement } from 'better-sqlite3';
import type { Clock } from '../src/domain/clock.js';
import type { SimCalendar } from './calendar.js';
import type { SimDb } from './store.js';

export interface SimLimits {
  maxRecords: number;
  maxBytes: number;
  skewMs: number;
  nonceWindowMs: number;
  appealWorkingDays: number;
}

export interface SimCounters {
  requests: number;
  statuses: Record<string, number>;
  batches: number;
  batchReplays: number;
  records: { accepted: number; duplicate: number; rejected: number };
  heartbeats: number;
  appeals: number;
  faults: { reset: number; error: number; throttle: number; drop: number; stall: number };
  auth: { badSignature: number; clockSkew: number; replay: number; disabled: number };
}

/** What the routes of one job need of the simulator: its database, counters, limits and clock. */
export interface SimContext {
  db: SimDb;
  stmt(sql: string): Statement<unknown[]>;
  /** the live counters (reset replaces them) */
  counters(): SimCounters;
  limits: SimLimits;
  clock: Clock;
  calendar(): SimCalendar;
}
