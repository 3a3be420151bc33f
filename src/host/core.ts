import { join, resolve } from 'node:path';
import {
  ApiError,
  type EventName,
  type KioskEvents,
  type KioskSnapshot,
  type StartEvaluationInput,
} from '../api/contract.js';
import { ClockOffset } from '../store/clock-offset.js';
import { DeviceStatusReader, type DbInfo } from './device-status.js';
import { EventBus, Signal } from './event-bus.js';
import type { StaffCard } from './snapshot.js';
import { readSnapshot, staffCardOf } from './snapshot-facts.js';
import type { KioskConfig } from '../config/config.js';
import { PadClock, type Clock } from '../domain/clock.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { readDamageReport } from '../store/continuation.js';
import { StorageHealth } from './storage-health.js';
import type { CancelReason } from '../domain/record.js';
import { EvaluationService, type CommittedChange } from '../service/evaluations.js';
import { StaffService } from '../service/staff.js';
import type { HallIdentity, Norms, StaffMember, TimingConfig } from '../domain/types.js';
import { createLogger, type KioskLogger } from './log.js';
import { ReferenceData } from '../store/reference-data.js';
import { assetsDir } from './paths.js';
import { HardwareBridge } from './hardware.js';
import { SyncBridge } from './sync-bridge.js';
import { StaffQueries } from '../service/staff-queries.js';
import { buildHandlers } from './handlers.js';
import { createDispatcher, type Dispatch } from '../api/dispatch.js';
import { securePrivateDir } from './data-dir.js';
import { StaffPanelGate, TechnicianGate } from './access.js';
import type { ClientSession } from '../api/dispatch.js';
import { Receipts } from './receipts.js';
import { Afterglow, DeadlineTimer } from './screen-timers.js';
import { reactToCommit } from './commit-reactions.js';
import { EvaluationDesk, type WindowEvaluationState } from './evaluation-desk.js';
import { guardWrite, requireWritable } from './storage-guard.js';
import { applyPlatformSequence } from './upkeep.js';
import { startRunningParts } from './core-start.js';
import type { WindowApiService } from './window-api-service.js';
import type { Reconfigurer } from './reconfigure.js';
import { wireSettings } from './settings-wiring.js';
import type { IntegrityLedger } from './integrity-watch.js';
import { openPadStore } from './pad-store.js';

export { APP_VERSION } from './version.js';

export interface CoreOptions {
  config: KioskConfig;
  clock?: Clock;
  /** start the window API server (tests of the service layer may skip it) */
  windowApi?: boolean;
  /** a hook for harnesses: called after a rating's commit, before it is acknowledged anywhere */
  onAcknowledge?: (what: string, id: string) => void;
  /** the file the 设置 tab writes (default: HCP_CONFIG, else `<dataDir>/config.json`) */
  configFile?: string;
}

/**
 * The composition root of the pad's core. Its constructor builds the parts in order — log,
 * database, reference data, clock offset, event bus, services, hardware, device status, sync,
 * receipts, commands — each handed the narrow interface it declares; parts built early learn of
 * later ones only through signals (`committed`, `staffChanged`), never through late closures.
 * It decides nothing itself beyond the reactions to a committed change. Only main/, the browser
 * shell and the CLI import it.
 */
export class KioskCore {
  readonly db: Db;
  /** steady for deadlines and records; wall-clock jumps are watched, not followed (decision 195) */
  readonly clock: PadClock;
  readonly log: KioskLogger;
  readonly evaluations: EvaluationService;
  readonly staff: StaffService;
  readonly refdata: ReferenceData;
  readonly hardware: HardwareBridge;
  readonly sync: SyncBridge;
  readonly queries: StaffQueries;
  readonly receipts: Receipts;
  readonly dispatch: Dispatch;
  readonly storage: StorageHealth;
  private readonly desk: EvaluationDesk;
  readonly staffPanel: StaffPanelGate;
  readonly techGate: TechnicianGate;
  readonly bus: EventBus;
  readonly devices: DeviceStatusReader;
  private readonly integrity: IntegrityLedger;
  readonly clockOffset: ClockOffset;
  readonly windowApi: WindowApiService;
  readonly settings: Reconfigurer;
  private readonly afterglow: Afterglow;
  private readonly deadlines: DeadlineTimer;
  private closers: Array<() => Promise<void> | void> = [];
  private snapshotQueued = false;

  private constructor(
    readonly config: KioskConfig,
    readonly dataDir: string,
    opts: CoreOptions,
  ) {
    this.clock = opts.clock instanceof PadClock ? opts.clock : new PadClock(opts.clock);
    const { tightened } = securePrivateDir(dataDir);
    this.log = createLogger(join(dataDir, 'logs'), config.log);
    if (tightened.length > 0)
      this.log.write('warn', 'data dir permissions tightened', {
        count: tightened.length,
        first: tightened[0],
      });
    const store = openPadStore(dataDir, this.clock, this.log);
    this.db = store.db;
    this.storage = store.storage;
    this.integrity = store.integrity;
    this.closers.push(store.close);
    this.bus = new EventBus((err) => this.log.write('warn', 'listener failed', { error: err.message }));
    const refdata = (this.refdata = new ReferenceData(this.db, dataDir, {
      shippedNormsFile: join(assetsDir(), 'norms-2020.json'),
      fallbackChainsFile:
        config.platform.baseUrl === 'embedded' ? join(assetsDir(), 'sample-hall.json') : null,
    }));
    const clockOffset = (this.clockOffset = new ClockOffset(this.db, this.clock));
    const timing = (): TimingConfig => this.timing();
    const committed = new Signal<CommittedChange>();
    const staffChanged = new Signal();
    const evaluations = (this.evaluations = new EvaluationService({
      db: this.db,
      clock: this.clock,
      timing,
      hall: () => this.hall(),
      norms: () => refdata.norms(),
      clockOffsetMs: () => clockOffset.offsetMs(),
      clockUnsynced: () => clockOffset.unsynced(),
      log: this.log.write,
      onCommitted: (change) => committed.fire(change),
    }));
    const staff = (this.staff = new StaffService({
      db: this.db,
      clock: this.clock,
      roster: () => refdata.staff(),
      log: this.log.write,
      onChange: () => staffChanged.fire(),
      hasOpenEvaluation: () => evaluations.openEvaluation() !== null,
      windowNo: () => this.hall().windowNo,
    }));
    this.staffPanel = new StaffPanelGate(this.clock, config.staffPanel.lockAfterS * 1000);
    this.techGate = new TechnicianGate({
      db: this.db,
      clock: this.clock,
      log: this.log,
      code: () => config.technician.code,
      idleLockMs: config.technician.idleLockS * 1000,
    });
    this.queries = new StaffQueries(
      this.db,
      this.clock,
      () => timing().appealWorkingDays,
      () => refdata.calendar(),
      () => clockOffset.offsetMs(),
    );
    const hardware = (this.hardware = new HardwareBridge({
      config,
      clock: this.clock,
      dataDir,
      fontDir: join(assetsDir(), 'receipt'),
      log: this.log.write,
      evaluations,
      staff,
      emitBoardKey: (key) => this.bus.emit('boardKey', key),
      notice: (level, text, audience) => this.notice(level, text, audience),
      chosenStar: () => this.snapshot().prompt?.chosen ?? null,
      changed: () => this.pushSnapshot(),
      guardStorage: (write) => this.guardStorage(write),
      pairedBoard: {
        get: () => getMeta(this.db, 'board.pairedSerial') ?? null,
        remember: (serial) => setMeta(this.db, 'board.pairedSerial', serial),
      },
    }));
    const devices = (this.devices = new DeviceStatusReader({
      db: this.db,
      dataDir,
      board: () => hardware.board,
      printer: () => hardware.printer,
      boardSimulated: () => hardware.simulated,
      integrity: () => this.integrity.read(),
    }));
    const sync = (this.sync = new SyncBridge({
      config,
      db: this.db,
      clock: this.clock,
      clockOffset,
      dataDir,
      log: this.log.write,
      devices,
      activity: () => {
        const open = evaluations.openEvaluation();
        return {
          screen: open ? (open.evaluation.state === 'reasons' ? 'reasons' : 'rating') : 'idle',
          staffId: staff.status().staff?.staffId ?? null,
        };
      },
      changed: () => this.pushSnapshot(),
      applyPlatformSequence: () => this.applyPlatformSequence(),
      damageReport: () => this.damageReport(),
      storageState: () => this.storage.state(),
    }));
    this.receipts = new Receipts({
      printer: () => hardware.printer,
      evaluations,
      hall: () => this.hall(),
      evaluationUrl: () => refdata.profile()?.evaluationUrl ?? null,
      clock: this.clock,
      clockOffset,
      deviceId: config.platform.deviceId,
      deviceSecret: () => sync.deviceSecret(),
    });
    staffChanged.on(() => {
      hardware.applyIdleLeds();
      this.pushSnapshot();
    });
    this.afterglow = new Afterglow(this.clock, () => {
      hardware.applyIdleLeds();
      this.pushSnapshot();
    });
    this.deadlines = new DeadlineTimer({
      clock: this.clock,
      log: this.log.write,
      nextDeadlineMs: () => evaluations.nextDeadlineMs(),
      expireDue: () => void this.guardStorage(() => evaluations.expireDue()),
    });
    committed.on((change) =>
      reactToCommit(change, {
        config,
        staffPanel: this.staffPanel,
        afterglow: this.afterglow,
        sync,
        receipts: this.receipts,
        hardware,
        deadlines: this.deadlines,
        pushSnapshot: () => this.pushSnapshot(),
        notice: (level, text, audience) => this.notice(level, text, audience),
        onAcknowledge: opts.onAcknowledge,
      }),
    );
    this.desk = new EvaluationDesk({
      evaluations,
      staff,
      sync,
      receipts: this.receipts,
      devices,
      hall: () => this.hall(),
      log: this.log.write,
      notice: (level, text, audience) => this.notice(level, text, audience),
      storageState: () => this.storage.state(),
      requireStorage: () => this.requireStorage(),
      guardStorage: (write) => this.guardStorage(write),
    });
    ({ windowApi: this.windowApi, settings: this.settings } = wireSettings(this, {
      dataDir,
      hardware,
      deadlines: this.deadlines,
      configFile: opts.configFile,
    }));
    this.dispatch = createDispatcher(buildHandlers(this), (msg, f) => this.log.write('warn', msg, f));
  }

  static async start(config: KioskConfig, opts: Omit<CoreOptions, 'config'> = {}): Promise<KioskCore> {
    const dataDir = resolve(config.dataDir);
    const core = new KioskCore(config, dataDir, { ...opts, config });
    try {
      await startRunningParts(core, core.deadlines, opts.windowApi ?? true, core.closers);
    } catch (err) {
      await core.stop();
      throw err;
    }
    return core;
  }

  get windowApiUrl(): string {
    return this.windowApi.url;
  }
  get windowApiToken(): string {
    return this.windowApi.token;
  }
  /** SHA-256 fingerprint of the window API's certificate when it serves TLS */
  get windowApiFingerprint(): string | null {
    return this.windowApi.fingerprint;
  }

  applyPlatformSequence(): void {
    applyPlatformSequence(this.db, this.storage, this.log.write);
  }

  /** Throws the clear answer when nothing new can be stored now (host/storage-guard.ts). */
  requireStorage(): void {
    requireWritable(this.storage);
  }

  /** Runs a write; a storage fault becomes the storage answer and the state everybody sees. */
  guardStorage<T>(write: () => T): T {
    return guardWrite(this.storage, write);
  }

  async stop(): Promise<void> {
    this.deadlines.stop();
    this.afterglow.stop();
    for (const close of this.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        this.log.write('warn', 'close failed', { error: (err as Error).message });
      }
    }
    this.closers = [];
    if (this.db.open) this.db.close();
    this.log.close();
  }

  // ---- the operations both staff paths share (host/evaluation-desk.ts) -------------------------

  startEvaluation(
    input: StartEvaluationInput,
    origin: 'window_api' | 'staff_panel' | 'scanner',
  ): Promise<{ evaluationId: string }> {
    return this.desk.startEvaluation(input, origin);
  }

  cancelEvaluation(id: string, reason: CancelReason, channel: string): void {
    this.desk.cancelEvaluation(id, reason, channel);
  }

  evaluationStateForStaff(id: string): WindowEvaluationState | null {
    return this.desk.evaluationState(id);
  }

  windowStatus(): unknown {
    return this.desk.windowStatus();
  }

  /** The timing in force: local configuration overlaid by the platform's device profile. */
  timing(): TimingConfig {
    return { ...this.config.timing, ...this.refdata.timingOverrides() };
  }

  hall(): HallIdentity {
    const p = this.refdata.profile();
    return {
      hallCode: p?.hallCode ?? this.config.hall.hallCode,
      hallName: p?.hallName ?? this.config.hall.hallName,
      windowNo: p?.windowNo ?? this.config.hall.windowNo,
      areaCode: p?.areaCode ?? this.config.hall.areaCode,
    };
  }

  // ---- events ---------------------------------------------------------------------------------

  subscribe(listener: (event: EventName, payload: unknown) => void): () => void {
    return this.bus.subscribe(listener);
  }

  emit<E extends EventName>(event: E, payload: KioskEvents[E]): void {
    this.bus.emit(event, payload);
  }

  notice(level: 'info' | 'warn' | 'error', text: string, audience: 'staff' | 'tech'): void {
    this.log.write(level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'info', text);
    this.emit('notice', { level, text, audience });
  }

  /**
   * Coalesced: many changes in one turn make one snapshot. Built after the current turn's
   * promise callbacks (setImmediate, not a microtask), so a board press is acknowledged to the
   * board before the snapshot is built and sent to the screens.
   */
  pushSnapshot(): void {
    if (this.snapshotQueued) return;
    this.snapshotQueued = true;
    setImmediate(() => {
      this.snapshotQueued = false;
      if (this.db.open) this.emit('snapshot', this.snapshot());
    });
  }

  // ---- the citizen screen's view model -------------------------------------------------------------

  snapshot(): KioskSnapshot {
    return readSnapshot({
      clock: this.clock,
      citizen: this.config.citizen,
      staff: this.staff,
      evaluations: this.evaluations,
      refdata: this.refdata,
      devices: this.devices,
      afterglow: this.afterglow,
      clockOffset: this.clockOffset,
      storage: this.storage,
      hall: () => this.hall(),
    });
  }

  staffCard(s: StaffMember): StaffCard {
    return staffCardOf(this.refdata, s);
  }

  /** What an update waits for (update-policy.ts): an open evaluation, a receipt in the printer. */
  updateActivity(): { openEvaluation: boolean; pendingPrints: number } {
    return {
      openEvaluation: this.evaluations.openEvaluation() !== null,
      pendingPrints: this.hardware.printer?.queuedJobs() ?? 0,
    };
  }

  /** The last repair of the database, for the technician screen and the heartbeat. */
  damageReport() {
    return readDamageReport(this.db);
  }

  dbInfo(): DbInfo {
    return this.devices.dbInfo();
  }

  requireStaffPanel(session: ClientSession): StaffMember {
    if (this.evaluations.openEvaluation())
      throw new ApiError(
        'staff_panel_closed',
        '评价进行中，工作人员界面已关闭 / the staff panel is closed while a rating is open',
      );
    const st = this.staff.status();
    if (!st.staff) throw new ApiError('no_staff', '请先签到 / sign in first');
    this.staffPanel.require(session, st.staff.staffId);
    return st.staff;
  }
}

export type { Norms };
