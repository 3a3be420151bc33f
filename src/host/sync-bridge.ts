import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { createSync, type SyncService, type HeartbeatBody } from '../sync/index.js';
import { outboxStats } from '../store/outbox.js';
import { formatCst } from '../domain/time.js';
import type { KioskCore } from './core.js';
import { APP_VERSION } from './version.js';
import { coveredYears } from '../domain/calendar.js';
import { assessHealth, type HealthFacts } from './health.js';
import { launchEmbeddedPlatform } from './platform-launcher.js';

/**
 * Connects the core to the municipal platform: the uploader, reference data and heartbeat. With
 * `platform.baseUrl = embedded` the platform simulator runs as a child process, so a fresh
 * `npm start` shows data arriving somewhere.
 */
export class SyncBridge {
  service: SyncService | null = null;
  private closeSim: (() => Promise<void>) | null = null;
  private startedMs = Date.now();
  platformUrl = '';
  private demoSecret = '';

  constructor(private readonly core: KioskCore) {}

  async start(): Promise<void> {
    const { config } = this.core;
    let baseUrl = config.platform.baseUrl;
    let secret = config.platform.deviceSecret;
    if (baseUrl === 'embedded') {
      // Demos and development: the simulator runs as a separate program this pad starts and stops.
      const t = config.timing;
      const running = await launchEmbeddedPlatform({
        dbPath: join(this.core.dataDir, 'platform-sim.db'),
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
      db: this.core.db,
      config: { ...config.platform, baseUrl, deviceSecret: secret },
      clock: this.core.clock,
      dataDir: this.core.dataDir,
      appVersion: APP_VERSION,
      heartbeat: () => this.heartbeat(),
      log: (msg, fields) => this.core.log.write('info', `sync: ${msg}`, fields),
      onRefdata: (name) => {
        if (name === 'profile') this.core.applyPlatformSequence();
        this.core.pushSnapshot();
      },
    });
    this.service.onStatus(() => this.core.pushSnapshot());
    this.service.start();
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    await this.closeSim?.();
  }

  kick(urgent: boolean): void {
    this.service?.kick({ urgent });
  }

  clockOffsetMs(): number {
    return this.service?.clock.offsetMs() ?? 0;
  }

  deviceSecret(): string {
    const s = this.core.config.platform.deviceSecret;
    return s === 'demo' ? this.demoSecret : s;
  }

  private heartbeat(): HeartbeatBody {
    const core = this.core;
    const ob = outboxStats(core.db);
    const board = core.hardware.board?.status();
    const printer = core.hardware.printer?.status();
    const db = core.dbInfo();
    const d = core.damageReport();
    const damage = d
      ? {
          detectedTime: formatCst(d.detectedMs),
          reason: d.reason.slice(0, 200),
          recoveredRecords: d.recoveredRecords,
          recoveredPending: d.recoveredPending,
        }
      : null;
    const open = core.evaluations.openEvaluation();
    return {
      appVersion: APP_VERSION,
      uptimeS: Math.round((Date.now() - this.startedMs) / 1000),
      screen: open ? (open.evaluation.state === 'reasons' ? 'reasons' : 'rating') : 'idle',
      staffId: core.staff.status().staff?.staffId ?? null,
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
        integrity: db.integrity === 'ok' && core.storage.state() !== 'damaged' ? 'ok' : 'error',
        checkedTime: formatCst(Date.now()),
        storage: core.storage.state(),
        ...(damage ? { rebuilt: damage } : {}),
      },
      clockOffsetMs: this.clockOffsetMs(),
      health: this.health(db.integrity, ob),
    } as HeartbeatBody;
  }

  /** The same facts and rules as `doctor`, as the running pad sees them. */
  private health(integrity: string, ob: ReturnType<typeof outboxStats>): HeartbeatBody['health'] {
    const core = this.core;
    const { config } = core;
    const disk = diskOf(core.dataDir);
    const online = this.service?.status().online ?? null;
    const facts: HealthFacts = {
      nowMs: Date.now(),
      board: { kind: config.board.kind, state: core.hardware.boardState(), detail: '' },
      printer: { kind: config.printer.kind, state: core.hardware.printerState(), detail: '' },
      platform: {
        baseUrl: config.platform.baseUrl,
        reachable: online,
        status: null,
        answer: online === false ? (this.service?.status().lastError ?? null) : null,
        clockOffsetMs: this.clockOffsetMs(),
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
