import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { createSync, type SyncService, type HeartbeatBody } from '../sync/index.js';
import { formatCst } from '../domain/time.js';
import type { Clock } from '../domain/clock.js';
import { childLogger } from '../domain/logger.js';
import type { KioskConfig } from '../config/config.js';
import type { Db } from '../store/db.js';
import type { ClockOffset } from '../store/clock-offset.js';
import type { DeviceStatus, DeviceStatusReader } from './device-status.js';
import type { OutboxStats } from '../store/outbox.js';
import type { KioskLogger } from './log.js';
import type { StorageState } from './storage-health.js';
import { APP_VERSION } from './version.js';
import { coveredYears } from '../domain/calendar.js';
import { assessHealth, type HealthFacts } from './health.js';
import { launchEmbeddedPlatform } from './platform-launcher.js';

/**
 * Connects the core to the municipal platform: the uploader, reference data and heartbeat. With
 * `platform.baseUrl = embedded` the platform simulator runs as a child process, so a fresh
 * `npm start` shows data arriving somewhere.
 */
/** What the bridge needs, handed in at construction. */
export interface SyncBridgeDeps {
  config: Pick<KioskConfig, 'platform' | 'hall' | 'timing' | 'board' | 'printer'>;
  db: Db;
  clock: Clock;
  clockOffset: ClockOffset;
  dataDir: string;
  log: KioskLogger['write'];
  devices: DeviceStatusReader;
  /** what the heartbeat says of the screen and who is signed in */
  activity(): { screen: 'idle' | 'rating' | 'reasons'; staffId: string | null };
  /** the platform's status or reference data changed */
  changed(): void;
  /** a new device profile may carry lastDeviceSeq/lastHash to continue from */
  applyPlatformSequence(): void;
  /** the last repair of the database, if any */
  damageReport(): {
    detectedMs: number;
    reason: string;
    recoveredRecords: number;
    recoveredPending: number;
  } | null;
  storageState(): StorageState;
}

export class SyncBridge {
  service: SyncService | null = null;
  private closeSim: (() => Promise<void>) | null = null;
  private startedMs = Date.now();
  platformUrl = '';
  private demoSecret = '';

  constructor(private readonly deps: SyncBridgeDeps) {}

  async start(): Promise<void> {
    const { config } = this.deps;
    let baseUrl = config.platform.baseUrl;
    let secret = config.platform.deviceSecret;
    if (baseUrl === 'embedded') {
      // Demos and development: the simulator runs as a separate program this pad starts and stops.
      const t = config.timing;
      const running = await launchEmbeddedPlatform({
        dbPath: join(this.deps.dataDir, 'platform-sim.db'),
        // This pad is provisioned on the demo platform with whatever identity it is configured with.
        device: { deviceId: config.platform.deviceId, secret, windowNo: config.hall.windowNo },
        // The demo platform serves the timing this pad is configured with, so local settings
        // (and the tests' short timeouts) take effect; a real platform decides them itself.
        timing: {
          rateTimeoutS: t.rateTimeoutS,
          reasonsTimeoutS: t.reasonsTimeoutS,
          appealWorkingDays: t.appealWorkingDays,
        },
      });
      this.closeSim = () => running.stop();
      baseUrl = running.url;
      this.demoSecret = running.demoSecret;
    }
    // Only ever against the embedded simulator: loadConfig refuses the demo secret (and the demo
    // device id) for a real platform, naming platform.deviceSecret.
    if (secret === 'demo') secret = this.demoSecret;
    this.platformUrl = baseUrl;
    this.service = createSync({
      db: this.deps.db,
      config: { ...config.platform, baseUrl, deviceSecret: secret },
      clock: this.deps.clock,
      clockOffset: this.deps.clockOffset,
      dataDir: this.deps.dataDir,
      appVersion: APP_VERSION,
      heartbeat: () => this.heartbeat(),
      log: childLogger(this.deps.log, 'sync'),
      onRefdata: (name) => {
        if (name === 'profile') this.deps.applyPlatformSequence();
        this.deps.changed();
      },
    });
    this.service.onStatus(() => this.deps.changed());
    this.service.start();
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    await this.closeSim?.();
  }

  kick(urgent: boolean): void {
    this.service?.kick({ urgent });
  }

  deviceSecret(): string {
    const s = this.deps.config.platform.deviceSecret;
    return s === 'demo' ? this.demoSecret : s;
  }

  private heartbeat(): HeartbeatBody {
    const status = this.deps.devices.read();
    const ob = status.outbox;
    const board = status.board.detail;
    const printer = status.printer.detail;
    const db = this.deps.devices.dbInfo();
    // A check still running has found nothing yet; damage is reported once it is found.
    const integrityFound = db.integrity === 'damaged' || this.deps.storageState() === 'damaged';
    const { screen, staffId } = this.deps.activity();
    const d = this.deps.damageReport();
    const damage = d
      ? {
          detectedTime: formatCst(d.detectedMs),
          reason: d.reason.slice(0, 200),
          recoveredRecords: d.recoveredRecords,
          recoveredPending: d.recoveredPending,
        }
      : null;
    return {
      appVersion: APP_VERSION,
      uptimeS: Math.round((Date.now() - this.startedMs) / 1000),
      screen,
      staffId,
      outbox: {
        pending: ob.pending,
        oldestPendingTime: ob.oldestPendingMs === null ? null : formatCst(ob.oldestPendingMs),
        rejected: ob.rejected,
        lastAckTime: ob.lastAckMs === null ? null : formatCst(ob.lastAckMs),
      },
      board: {
        state: board?.state ?? 'absent',
        serial: board?.serial ?? null,
        firmware: board?.firmware ?? null,
        lineErrors: board?.counters.lineErrors ?? 0,
      },
      printer: {
        state: printer?.state ?? 'absent',
        paperLow: printer?.paperLow ?? false,
        paperOut: printer?.paperOut ?? false,
        coverOpen: printer?.coverOpen ?? false,
      },
      db: {
        sizeBytes: db.sizeBytes,
        integrity: integrityFound ? 'error' : 'ok',
        // when this run's full check ended (start-up, or the background check after a clean stop)
        checkedTime: formatCst(db.checkedMs ?? Date.now()),
        storage: this.deps.storageState(),
        ...(damage ? { rebuilt: damage } : {}),
      },
      clockOffsetMs: this.deps.clockOffset.offsetMs(),
      health: this.health(integrityFound ? db.integrity : 'ok', ob, status),
    } as HeartbeatBody;
  }

  /** The same facts and rules as `doctor`, as the running pad sees them. */
  private health(integrity: string, ob: OutboxStats, status: DeviceStatus): HeartbeatBody['health'] {
    const { config } = this.deps;
    const disk = diskOf(this.deps.dataDir);
    const online = this.service?.status().online ?? null;
    const facts: HealthFacts = {
      nowMs: Date.now(),
      board: { kind: config.board.kind, state: status.board.state, detail: '' },
      printer: { kind: config.printer.kind, state: status.printer.state, detail: '' },
      platform: {
        baseUrl: config.platform.baseUrl,
        reachable: online,
        status: null,
        answer: online === false ? (this.service?.status().lastError ?? null) : null,
        clockOffsetMs: this.deps.clockOffset.offsetMs(),
      },
      disk,
      db: { exists: true, integrity, schemaVersion: null },
      outbox: { pending: ob.pending, rejected: ob.rejected, oldestPendingMs: ob.oldestPendingMs },
      calendarYears: coveredYears(),
    };
    if (facts.board.kind === 'simulated') facts.board.state = 'simulated';
    if (facts.printer.kind === 'virtual') facts.printer.state = 'simulated';
    if (facts.platform.reachable === true) facts.platform.status = 200;
    const r = assessHealth(facts);
    return {
      needsVisit: r.needsVisit,
      findings: r.findings.map((f) => ({ key: f.key, level: f.level, text: f.text })),
      diskFreeBytes: disk?.freeBytes ?? null,
      calendarYears: facts.calendarYears,
    };
  }
}

function diskOf(dir: string): HealthFacts['disk'] {
  try {
    const s = statfsSync(dir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}
