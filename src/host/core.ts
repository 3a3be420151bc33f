import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ApiError,
  type EventName,
  type KioskEvents,
  type KioskSnapshot,
  type Screen,
  type StartEvaluationInput,
} from '../api/contract.js';
import { ClockOffset } from '../store/clock-offset.js';
import { DeviceStatusReader, type DbInfo } from './device-status.js';
import { EventBus, Signal } from './event-bus.js';
import { inWallClockFrame, type StaffCard } from './snapshot.js';
import type { KioskConfig } from '../config/config.js';
import { PadClock, type Clock } from '../domain/clock.js';
import { formatCst } from '../domain/time.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { openCheckedDatabase } from '../store/recovery.js';
import { continueFromPlatform, readDamageReport, waitingForPlatformSeq } from '../store/continuation.js';
import { getRefdata } from '../store/refdata.js';
import { StorageHealth, type StorageState } from './storage-health.js';
import { isBadLead, type CancelReason } from '../domain/record.js';
import { pruneDelivered } from '../store/retention.js';
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
import { startWindowApi } from './window-api.js';
import { securePrivateDir, writePrivateFile } from './data-dir.js';
import { isLoopbackHost } from './address-allow.js';
import { padCertificate } from './tls-cert.js';
import { StaffPanelGate, TechnicianGate } from './access.js';
import type { ClientSession } from '../api/dispatch.js';
import { Receipts } from './receipts.js';

export { APP_VERSION } from './version.js';

/** How long a start waits for the platform's case visits before numbering offline. */
const CASE_LOOKUP_TIMEOUT_MS = 2000;

export interface CoreOptions {
  config: KioskConfig;
  clock?: Clock;
  /** start the window API server (tests of the service layer may skip it) */
  windowApi?: boolean;
  /** a hook for harnesses: called after a rating's commit, before it is acknowledged anywhere */
  onAcknowledge?: (what: string, id: string) => void;
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
  readonly staffPanel: StaffPanelGate;
  readonly techGate: TechnicianGate;
  readonly bus: EventBus;
  readonly devices: DeviceStatusReader;
  readonly clockOffset: ClockOffset;
  windowApiUrl = '';
  windowApiToken = '';
  /** SHA-256 fingerprint of the window API's certificate when it serves TLS */
  windowApiFingerprint: string | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private afterglow: {
    screen: Screen;
    untilMs: number;
    evaluationId: string;
    chosen: number | null;
  } | null = null;
  private afterglowTimer: NodeJS.Timeout | null = null;
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
    const opened = openCheckedDatabase(join(dataDir, 'kiosk.db'), this.clock.now());
    this.db = opened.db;
    if (opened.damage)
      this.log.write('error', '数据库已损坏并已修复 / database damaged, rebuilt', { ...opened.damage });
    this.storage = new StorageHealth(dataDir);
    this.storage.setWaitingForSeq(waitingForPlatformSeq(this.db));
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
      boardSimulated: hardware.simulated,
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
    committed.on((change) => this.committed(change, opts));
    staffChanged.on(() => {
      hardware.applyIdleLeds();
      this.pushSnapshot();
    });
    this.dispatch = createDispatcher(buildHandlers(this), (msg, f) => this.log.write('warn', msg, f));
  }

  static async start(config: KioskConfig, opts: Omit<CoreOptions, 'config'> = {}): Promise<KioskCore> {
    const dataDir = resolve(config.dataDir);
    const core = new KioskCore(config, dataDir, { ...opts, config });
    try {
      await core.startServices(opts.windowApi ?? true);
    } catch (err) {
      await core.stop();
      throw err;
    }
    return core;
  }

  private async startServices(windowApi: boolean): Promise<void> {
    this.storage.start();
    this.closers.push(() => this.storage.stop());
    this.storage.onChange((state) => this.storageChanged(state));
    this.watchWallClock();
    this.applyPlatformSequence();
    await this.sync.start();
    this.closers.push(() => this.sync.stop());
    await this.hardware.start();
    this.closers.push(() => this.hardware.stop());
    if (windowApi) {
      this.windowApiToken = this.resolveWindowApiToken();
      const wa = this.config.windowApi;
      const tls =
        wa.tls === 'always' || !isLoopbackHost(wa.host)
          ? await padCertificate(this.dataDir, this.config.platform.deviceId)
          : null;
      this.windowApiFingerprint = tls?.fingerprint256 ?? null;
      const api = await startWindowApi({
        core: {
          startEvaluation: async (input) => this.startEvaluation(input, 'window_api'),
          evaluationState: (id) => this.evaluationStateForStaff(id),
          cancelEvaluation: (id, reason, channel) => this.cancelEvaluation(id, reason, channel),
          printReceipt: (id) => this.receipts.printForEvaluation(id),
          status: () => this.windowStatus(),
        },
        host: this.config.windowApi.host,
        port: this.config.windowApi.port,
        token: this.windowApiToken,
        rateLimitPerS: wa.rateLimitPerS,
        globalRateLimitPerS: wa.globalRateLimitPerS,
        allow: wa.allow,
        tls,
        limits: {
          maxConnections: wa.maxConnections,
          headersTimeoutMs: wa.headersTimeoutMs,
          requestTimeoutMs: wa.requestTimeoutMs,
        },
        log: this.log.write,
      });
      this.windowApiUrl = api.url;
      this.closers.push(() => api.close());
      this.log.write('info', 'window api listening', { url: api.url });
    }
    // Delivered records past retention go; the chain stays verifiable from its anchor.
    this.pruneOldRecords();
    const pruneTimer = setInterval(() => this.pruneOldRecords(), 6 * 3600_000);
    pruneTimer.unref();
    this.closers.push(() => clearInterval(pruneTimer));
    // Anything that ran out while the pad was off closes now, as unrated.
    this.evaluations.expireDue({ setOnAnotherClock: true });
    this.scheduleDeadline();
    this.hardware.applyIdleLeds();
  }

  private pruneOldRecords(): void {
    try {
      const r = pruneDelivered(this.db, {
        keepDays: this.config.retention.keepDeliveredDays,
        nowMs: this.clock.now(),
      });
      if (r.deleted > 0) this.log.write('info', 'pruned delivered records', { ...r });
    } catch (err) {
      this.log.write('error', 'retention failed', { error: (err as Error).message });
    }
  }

  /** `generate` keeps one random token per data directory, readable by the technician. */
  private resolveWindowApiToken(): string {
    if (this.config.windowApi.token !== 'generate') return this.config.windowApi.token;
    const file = join(this.dataDir, 'window-api.token');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const token = randomBytes(24).toString('base64url');
    writePrivateFile(file, token + '\n');
    return token;
  }

  /** The platform's profile arrived: continue the sequence above what it holds (continuation.ts). */
  applyPlatformSequence(): void {
    const p = getRefdata(this.db, 'profile')?.value;
    if (p?.lastDeviceSeq === undefined || p.lastHash === undefined) return;
    try {
      const r = continueFromPlatform(this.db, { lastDeviceSeq: p.lastDeviceSeq, lastHash: p.lastHash });
      if (r.moved) this.log.write('warn', 'deviceSeq continues above the platform position', { ...r });
      this.storage.setWaitingForSeq(false);
    } catch (err) {
      this.storage.report(err);
      this.log.write('error', 'sequence continuation failed', { error: (err as Error).message });
    }
  }

  /** A wall-clock jump is noticed within a second, logged, and the screen's countdown re-based. */
  private watchWallClock(): void {
    const off = this.clock.onJump((jumpMs) => {
      this.log.write('warn', '系统时钟跳变 / wall clock jumped', { jumpMs: Math.round(jumpMs) });
      this.pushSnapshot();
    });
    const tick = setInterval(() => this.clock.now(), 1000);
    tick.unref();
    this.closers.push(() => {
      clearInterval(tick);
      off();
    });
  }

  private storageChanged(state: StorageState): void {
    const words: Record<StorageState, string> = {
      ok: '存储已恢复正常 / storage is writable again',
      full: '存储空间已满，暂停新的评价 / storage full: new evaluations are refused',
      read_only: '存储变为只读，暂停新的评价 / storage is read-only: new evaluations are refused',
      damaged: '数据库损坏，请重启评价器以修复 / database damaged: restart the pad to repair it',
      recovering:
        '数据库已重建，等待平台的序号后恢复评价 / database rebuilt: waiting for the platform sequence',
    };
    this.notice(state === 'ok' ? 'info' : 'error', words[state], 'tech');
    this.pushSnapshot();
  }

  /** Throws the clear answer when nothing new can be stored now. */
  requireStorage(): void {
    const state = this.storage.state();
    if (state === 'ok') return;
    throw storageError(state);
  }

  /** Runs a write; a storage fault becomes the storage answer and the state everybody sees. */
  guardStorage<T>(write: () => T): T {
    try {
      const out = write();
      this.storage.writeSucceeded();
      return out;
    } catch (err) {
      if (this.storage.report(err)) throw storageError(this.storage.state());
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.afterglowTimer) clearTimeout(this.afterglowTimer);
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

  // ---- the operations both staff paths share ----------------------------------------------------

  async startEvaluation(
    input: StartEvaluationInput,
    origin: 'window_api' | 'staff_panel' | 'scanner',
  ): Promise<{ evaluationId: string }> {
    // A business system's retry (same requestId) gets the first answer whatever happened since:
    // the window may be busy with that very evaluation, or the staff member signed out.
    const earlier = this.evaluations.previousStart(input.requestId);
    if (earlier) {
      this.log.write('info', 'start request answered again (same requestId)', earlier);
      return earlier;
    }
    this.requireStorage();
    const staff = this.staff.staffForEvaluation(input.staffId);
    const platformLastVisit = await this.platformVisits(input);
    const { evaluationId, replayed } = this.guardStorage(() =>
      this.evaluations.start(input, { origin, staff, platformLastVisit }),
    );
    if (replayed) return { evaluationId };
    if (input.printReceipt) {
      // A print never blocks or delays a rating: failures reach staff and technician as notices.
      this.receipts
        .printForEvaluation(evaluationId)
        .catch((err: unknown) =>
          this.notice('warn', `回执打印失败 / receipt failed: ${(err as Error).message}`, 'staff'),
        );
    }
    return { evaluationId };
  }

  /**
   * For each 承诺件 the pad numbers itself, the highest visit the platform holds (a case is often
   * served at two windows). Offline, or no answer within 2 s: the pad's own records, logged.
   */
  private async platformVisits(input: StartEvaluationInput): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const ask = input.cases.filter((c) => c.promiseType === 2 && c.serviceNumber === undefined);
    const sync = this.sync.service;
    for (const c of ask) {
      const answer = sync
        ? await sync.caseVisits(c.projectNo, this.hall().hallCode, CASE_LOOKUP_TIMEOUT_MS)
        : { ok: false as const, reason: 'sync not running' };
      if (answer.ok) out.set(c.projectNo, answer.lastVisit);
      else
        this.log.write('warn', 'case visit look-up failed; numbering the visit from this pad’s own records', {
          projectNo: c.projectNo,
          reason: answer.reason,
        });
    }
    return out;
  }

  /** The staff panel and the window API cancel alike: with a reason, as a record. */
  cancelEvaluation(id: string, reason: CancelReason, channel: string): void {
    const found = this.evaluations.get(id);
    const signedIn = this.staff.status().staff?.staffId;
    // cancelledBy names a staff member: the one who pressed it on the panel, else the one at the
    // window when the business system withdrew it, else the one the evaluation was for.
    const staffId = channel.startsWith('staff_panel:')
      ? channel.slice('staff_panel:'.length)
      : (signedIn ?? found?.evaluation.staff_id ?? '');
    this.guardStorage(() => this.evaluations.cancel(id, { reason, staffId, channel }));
  }

  evaluationStateForStaff(id: string): {
    evaluationId: string;
    state: 'waiting' | 'done' | 'cancelled';
    startedTime: string;
    closedTime?: string;
  } | null {
    const found = this.evaluations.get(id);
    if (!found) return null;
    const ev = found.evaluation;
    const state =
      ev.state === 'waiting' || ev.state === 'reasons'
        ? 'waiting'
        : ev.state === 'cancelled'
          ? 'cancelled'
          : 'done';
    const out: { evaluationId: string; state: typeof state; startedTime: string; closedTime?: string } = {
      evaluationId: ev.id,
      state,
      startedTime: formatCst(ev.started_ms),
    };
    if (ev.closed_ms !== null) out.closedTime = formatCst(ev.closed_ms);
    return out;
  }

  windowStatus(): unknown {
    const st = this.staff.status();
    const devices = this.devices.read();
    return {
      window: { no: this.hall().windowNo, state: st.state },
      staff: st.staff ? { staffId: st.staff.staffId, name: st.staff.name } : null,
      board: devices.board.state,
      printer: devices.printer.state,
      outbox: { pending: devices.outbox.pending, rejected: devices.outbox.rejected },
      storage: this.storage.state(),
    };
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

  /** Coalesced: many changes in one tick make one snapshot. */
  pushSnapshot(): void {
    if (this.snapshotQueued) return;
    this.snapshotQueued = true;
    queueMicrotask(() => {
      this.snapshotQueued = false;
      if (this.db.open) this.emit('snapshot', this.snapshot());
    });
  }

  private committed(change: CommittedChange, opts: CoreOptions): void {
    // The citizen is at the pad now: every open staff panel locks (domain.md).
    if (change.kind === 'started') this.staffPanel.lockAll();
    if (change.kind === 'closed') {
      for (const r of change.sealed) opts.onAcknowledge?.('sealed', r.evaluationId);
      const rated = change.outcome === 'rated';
      this.setAfterglow(
        rated ? 'thanks' : 'unrated',
        rated ? this.config.timing.thanksS * 1000 : 3000,
        change.evaluationId,
        rated ? change.chosenKey : null,
      );
      this.sync.kick(change.sealed.some(isBadLead));
      if (!rated && this.config.printer.autoPrintUnrated) {
        this.receipts
          .printForEvaluation(change.evaluationId)
          .then(() => this.pushSnapshot())
          .catch((err: unknown) =>
            this.notice('warn', `回执打印失败 / receipt failed: ${(err as Error).message}`, 'staff'),
          );
      }
    } else if (change.kind === 'step' || change.kind === 'cancelled') {
      // A 差评 on a chain's first item goes out now, not at the next batch interval.
      this.sync.kick(change.sealed.some(isBadLead));
    }
    this.hardware.onEvaluationChange(change);
    this.scheduleDeadline();
    this.pushSnapshot();
  }

  private setAfterglow(screen: Screen, ms: number, evaluationId: string, chosen: number | null = null): void {
    this.afterglow = { screen, untilMs: this.clock.now() + ms, evaluationId, chosen };
    if (this.afterglowTimer) clearTimeout(this.afterglowTimer);
    this.afterglowTimer = setTimeout(() => {
      this.afterglow = null;
      this.hardware.applyIdleLeds();
      this.pushSnapshot();
    }, ms);
    this.afterglowTimer.unref?.();
  }

  private scheduleDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    const next = this.evaluations.nextDeadlineMs();
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.clock.now(), 2 ** 31 - 1));
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      try {
        this.guardStorage(() => this.evaluations.expireDue());
      } catch (err) {
        this.log.write('error', 'expiring evaluations failed', { error: (err as Error).message });
      }
      this.scheduleDeadline();
    }, delay + 5);
  }

  // ---- the citizen screen's view model -------------------------------------------------------------

  snapshot(): KioskSnapshot {
    const st = this.staff.status();
    const open = this.evaluations.openEvaluation();
    const hall = this.hall();
    const devices = this.devices.read();
    const glow = this.afterglow;
    // The screen counts down against the operating system's clock (decision 195).
    return inWallClockFrame(this.clock.wallSkewMs(), {
      nowMs: this.clock.now(),
      hallName: hall.hallName,
      windowNo: hall.windowNo,
      norms: this.refdata.norms(),
      windowState: st.state,
      staff: st.staff ? this.staffCard(st.staff) : null,
      open: open
        ? {
            evaluation: open.evaluation,
            cases: open.cases,
            targets: this.evaluations.targetsOf(open.evaluation, open.cases),
          }
        : null,
      afterglow: this.afterglow,
      board: devices.board.state,
      printer: devices.printer.state,
      boardSimulated: devices.board.simulated,
      serverTimeOffsetMs: this.clockOffset.offsetMs(),
      storage: this.storage.state(),
      afterglowReceiptPrinted:
        !open && glow !== null
          ? (this.evaluations.get(glow.evaluationId)?.evaluation.receipt_prints ?? 0) > 0
          : false,
      citizen: this.config.citizen,
    });
  }

  staffCard(s: StaffMember): StaffCard {
    return {
      staffId: s.staffId,
      name: s.name,
      title: s.title,
      photoUrl: this.refdata.photoDataUrl(s.staffId),
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

/** `503 {"error": "storage_unavailable", "storage": state}` on the window API. */
function storageError(state: StorageState): ApiError {
  return Object.assign(new ApiError('storage_unavailable', storageMessage(state)), {
    extra: { storage: state },
  });
}

function storageMessage(state: StorageState): string {
  switch (state) {
    case 'full':
      return '存储空间已满，暂时不能保存评价 / storage full: the pad cannot store an evaluation now';
    case 'read_only':
      return '存储只读，暂时不能保存评价 / storage read-only: the pad cannot store an evaluation now';
    case 'damaged':
      return '数据库损坏，需要重启修复 / database damaged: the pad must restart to repair it';
    case 'recovering':
      return '数据库已重建，正在等待平台序号 / database rebuilt: waiting for the platform sequence';
    default:
      return '存储不可用 / storage unavailable';
  }
}
