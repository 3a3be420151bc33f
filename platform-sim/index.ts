import type { CalendarYear } from '../src/domain/calendar.js';
import { SimCalendar } from './calendar.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../src/domain/clock.js';
import { NO_FAULTS, type SimFaults } from './faults.js';
import { SimServer, type SimHall, type SimLimits, type SimStats } from './server.js';
import { openSimDb, type SimDb } from './store.js';
import { simAssetsDir } from './assets.js';

export type { SimFaults } from './faults.js';
export { DEMO_2027, defaultSimCalendarYears } from './calendar.js';
export type { SimHall, SimStats, ChainBreak } from './server.js';
export { hashPin, verifyPin } from './pin-phc.js';

export const DEMO_DEVICE_ID = 'PAD-DEMO-12';
/** Fixed so a fresh `npm start` and the demo simulator agree without provisioning. Never use outside demos. */
export const DEMO_DEVICE_SECRET = 'UV0ZwEYChEC5xygz95iHzT47TTPdTRmtObg10r0HS6k=';
export const DEMO_WINDOW_NO = '12';

export interface PlatformSimOptions {
  port?: number;
  host?: string;
  /** SQLite file; `:memory:` (default) keeps nothing. */
  dbPath?: string;
  /** Hall data (defaults to assets/sample-hall.json). */
  hall?: SimHall;
  /** Norms served by GET /v1/norms (defaults to assets/norms-2020.json). */
  norms?: unknown;
  /** Extra provisioned devices; the demo device is always there. */
  devices?: Array<{ deviceId: string; secret: string; windowNo: string; enabled?: boolean }>;
  faults?: Partial<SimFaults>;
  limits?: Partial<SimLimits>;
  clock?: Clock;
  random?: () => number;
  /** The holiday calendars published (default: the chinese-days years plus the demo 2027). */
  calendarYears?: CalendarYear[];
}

export interface PlatformSim {
  url: string;
  db: SimDb;
  close(): Promise<void>;
  setFaults(f: Partial<SimFaults>): void;
  stats(): SimStats;
  resetStats(): void;
  provisionDevice(d: { deviceId: string; secret?: string; windowNo: string; enabled?: boolean }): {
    deviceId: string;
    secret: string;
  };
  setDeviceEnabled(deviceId: string, enabled: boolean): void;
  /** Replace the published holiday calendars (tests: a year not yet published, or none at all). */
  setCalendarYears(years: CalendarYear[]): void;
  /** Serve this raw text for a reference-data name (`profile`, `norms`, `tasks`, `staff`, `photo:<staffId>`); null restores. */
  setRefdataOverride(name: string, raw: string | null): void;
}

export const DEFAULT_LIMITS: SimLimits = {
  maxRecords: 500,
  maxBytes: 1024 * 1024,
  skewMs: 300_000,
  nonceWindowMs: 600_000,
  appealWorkingDays: 3,
};

export function loadSampleHall(): SimHall {
  return JSON.parse(readFileSync(join(simAssetsDir(), 'sample-hall.json'), 'utf8')) as SimHall;
}

/** Starts the platform simulator (docs/protocols/platform-api.md) on 127.0.0.1. */
export async function startPlatformSim(opts: PlatformSimOptions = {}): Promise<PlatformSim> {
  const db = openSimDb(opts.dbPath ?? ':memory:');
  const hall = opts.hall ?? loadSampleHall();
  const norms =
    opts.norms ??
    (JSON.parse(readFileSync(join(simAssetsDir(), 'norms-2020.json'), 'utf8')) as {
      version: string;
      items: unknown[];
    });
  // Only the fields §3 defines leave the simulator.
  const servedNorms = {
    version: (norms as { version: string }).version,
    items: (norms as { items: unknown[] }).items,
  };
  const provision = (d: { deviceId: string; secret?: string; windowNo: string; enabled?: boolean }) => {
    const secret = d.secret ?? randomBytes(32).toString('base64');
    db.prepare(
      `INSERT INTO devices (device_id, secret, hall_code, window_no, enabled) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET secret = excluded.secret, window_no = excluded.window_no, enabled = excluded.enabled`,
    ).run(d.deviceId, secret, hall.hall.hallCode, d.windowNo, d.enabled === false ? 0 : 1);
    return { deviceId: d.deviceId, secret };
  };
  provision({ deviceId: DEMO_DEVICE_ID, secret: DEMO_DEVICE_SECRET, windowNo: DEMO_WINDOW_NO });
  for (const d of opts.devices ?? []) provision(d);
  const sim = new SimServer(
    db,
    hall,
    servedNorms,
    { ...DEFAULT_LIMITS, ...opts.limits },
    opts.clock ?? systemClock,
    opts.random,
  );
  sim.faults = { ...NO_FAULTS, ...opts.faults };
  if (opts.calendarYears) sim.calendar = new SimCalendar(opts.calendarYears);
  let url: string;
  try {
    url = await sim.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  } catch (err) {
    db.close();
    throw err;
  }
  let closed = false;
  return {
    url,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await sim.close();
      db.close();
    },
    setFaults(f) {
      sim.faults = { ...sim.faults, ...f };
    },
    stats: () => sim.stats(),
    resetStats: () => sim.resetStats(),
    provisionDevice: provision,
    setDeviceEnabled(deviceId, enabled) {
      db.prepare('UPDATE devices SET enabled = ? WHERE device_id = ?').run(enabled ? 1 : 0, deviceId);
    },
    setRefdataOverride: (name, raw) => sim.setOverride(name, raw),
    setCalendarYears(years) {
      sim.calendar = new SimCalendar(years);
    },
  };
}
