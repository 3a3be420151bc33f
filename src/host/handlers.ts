import { ApiError, type KioskSnapshot, type StartEvaluationInput } from '../api/contract.js';
import type { ClientSession, Handlers } from '../api/dispatch.js';
import { rejectedItems } from '../store/outbox.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KioskConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { CancelReason } from '../domain/record.js';
import type { HallIdentity, StaffMember, TimingConfig } from '../domain/types.js';
import type { Db } from '../store/db.js';
import type { ReferenceData } from '../store/reference-data.js';
import type { EvaluationService } from '../service/evaluations.js';
import type { StaffService } from '../service/staff.js';
import type { StaffQueries } from '../service/staff-queries.js';
import type { StaffPanelGate, TechnicianGate } from './access.js';
import type { DeviceStatusReader } from './device-status.js';
import type { HardwareBridge } from './hardware.js';
import type { Receipts } from './receipts.js';
import type { Reconfigurer } from './reconfigure.js';
import type { StaffCard } from './snapshot.js';
import type { SyncBridge } from './sync-bridge.js';
import { APP_VERSION } from './version.js';

/** What the commands need: the services, the two gates and the operations both staff paths share. */
export interface HandlerDeps {
  readonly config: Pick<KioskConfig, 'platform' | 'printer'>;
  readonly dataDir: string;
  readonly db: Db;
  readonly clock: Clock;
  readonly evaluations: Pick<
    EvaluationService,
    'press' | 'chooseChainMode' | 'submitReasons' | 'openEvaluation'
  >;
  readonly staff: Pick<
    StaffService,
    'status' | 'signInWithPin' | 'signInWithBadge' | 'verifySignedInPin' | 'signOut' | 'setState'
  >;
  readonly queries: Pick<StaffQueries, 'figures' | 'windowFigures' | 'badReviews' | 'recent' | 'fileAppeal'>;
  readonly refdata: Pick<ReferenceData, 'tasks' | 'chains'>;
  readonly hardware: Pick<HardwareBridge, 'board' | 'printer' | 'simulator' | 'simulated'>;
  readonly sync: Pick<SyncBridge, 'kick' | 'service'>;
  readonly receipts: Pick<Receipts, 'printForEvaluation'>;
  readonly devices: Pick<DeviceStatusReader, 'read' | 'dbInfo'>;
  readonly staffPanel: Pick<StaffPanelGate, 'lockAfterMs' | 'lockAll' | 'unlock' | 'lock' | 'isOpen'>;
  readonly techGate: Pick<TechnicianGate, 'require' | 'unlock' | 'lock'>;
  readonly settings: Pick<Reconfigurer, 'settings' | 'apply' | 'rotateToken' | 'changeCode'>;
  readonly windowApiUrl: string;
  readonly windowApiFingerprint: string | null;
  snapshot(): KioskSnapshot;
  staffCard(s: StaffMember): StaffCard;
  hall(): HallIdentity;
  timing(): TimingConfig;
  requireStaffPanel(session: ClientSession): StaffMember;
  /** runs a write; a storage fault becomes the storage answer (host/storage-health.ts) */
  guardStorage<T>(write: () => T): T;
  startEvaluation(
    input: StartEvaluationInput,
    origin: 'window_api' | 'staff_panel' | 'scanner',
  ): Promise<{ evaluationId: string }>;
  cancelEvaluation(id: string, reason: CancelReason, channel: string): void;
}

/** Every command of the contract, mapped onto the services. Params arrive already validated. */
export function buildHandlers(core: HandlerDeps): Handlers {
  const requireTech = (session: ClientSession) => core.techGate.require(session);
  const lockAfterS = Math.round(core.staffPanel.lockAfterMs / 1000);
  return {
    getSnapshot: () => core.snapshot(),

    rate: ({ evaluationId, satisfaction }) => {
      const out = core.guardStorage(() =>
        core.evaluations.press({ source: 'touch', key: satisfaction, evaluationId }),
      );
      if (out.disposition === 'rating') return { state: out.next };
      return { state: 'ignored' };
    },
    chooseChainMode: ({ evaluationId, mode }) => {
      core.evaluations.chooseChainMode(evaluationId, mode);
      return { ok: true };
    },
    submitReasons: ({ evaluationId, codes, comment }) =>
      core.guardStorage(() => core.evaluations.submitReasons(evaluationId, codes, comment)),

    staffSignIn: async ({ staffId, pin }, session) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      const member = await core.staff.signInWithPin(staffId, pin);
      core.staffPanel.lockAll(); // a new shift: every other screen session locks
      core.staffPanel.unlock(session, member.staffId); // the PIN was just typed here
      return { staff: core.staffCard(member), lockAfterS };
    },
    staffUnlock: async ({ pin }, session) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      const member = await core.staff.verifySignedInPin(pin);
      // An evaluation may have started while the PIN was hashed: the panel stays closed then.
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      core.staffPanel.unlock(session, member.staffId);
      return { staff: core.staffCard(member), lockAfterS };
    },
    staffLock: (_p, session) => {
      core.staffPanel.lock(session);
      return { ok: true };
    },
    staffTouch: (_p, session) => {
      const st = core.staff.status();
      return { open: !!st.staff && core.staffPanel.isOpen(session, st.staff.staffId) };
    },
    staffBadge: ({ code }) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      const member = core.staff.signInWithBadge(code);
      core.staffPanel.lockAll(); // signed in for the shift; the panel still takes the PIN
      return { staff: core.staffCard(member) };
    },
    staffSignOut: (_p, session) => {
      core.requireStaffPanel(session);
      core.staff.signOut();
      core.staffPanel.lockAll();
      return { ok: true };
    },
    setWindowState: ({ state }, session) => {
      core.requireStaffPanel(session);
      return { state: core.staff.setState(state) };
    },
    startEvaluation: async (input, session) => {
      core.requireStaffPanel(session);
      const { evaluationId } = await core.startEvaluation(input, 'staff_panel');
      return { evaluationId, state: 'waiting' };
    },
    cancelEvaluation: async ({ evaluationId, reason, pin }) => {
      const member = await core.staff.verifySignedInPin(pin);
      core.cancelEvaluation(evaluationId, reason, `staff_panel:${member.staffId}`);
      return { ok: true };
    },
    staffOverview: (_p, session) => {
      const staff = core.requireStaffPanel(session);
      const { today, month } = core.queries.figures(staff.staffId);
      return {
        staff: core.staffCard(staff),
        today,
        month,
        window: { windowNo: core.hall().windowNo, ...core.queries.windowFigures(core.hall().windowNo) },
        badReviews: core.queries.badReviews(staff.staffId),
        recent: core.queries.recent(staff.staffId),
        // The same count the deadlines use: the platform's profile may override the local setting.
        appealWorkingDays: core.timing().appealWorkingDays,
      };
    },
    fileAppeal: ({ recordId, reason }, session) => {
      const staff = core.requireStaffPanel(session);
      const out = core.queries.fileAppeal(staff.staffId, recordId, reason);
      core.sync.kick(true);
      return out;
    },
    printReceipt: async ({ evaluationId }, session) => {
      core.requireStaffPanel(session);
      return core.receipts.printForEvaluation(evaluationId);
    },
    catalog: () => ({ tasks: core.refdata.tasks(), chains: core.refdata.chains() }),

    techUnlock: ({ code }, session) => {
      core.techGate.unlock(session, code, (given, expected) => {
        const a = createHash('sha256').update(given).digest();
        return timingSafeEqual(a, createHash('sha256').update(expected).digest());
      });
      return { ok: true };
    },
    techLock: (_p, session) => {
      core.techGate.lock(session);
      return { ok: true };
    },
    techStatus: (_p, session) => {
      core.techGate.require(session, false);
      const status = core.devices.read();
      const board = status.board.detail;
      const printer = status.printer.detail;
      const sync = core.sync.service?.status();
      const ob = status.outbox;
      return {
        appVersion: APP_VERSION,
        dataDir: core.dataDir,
        deviceId: core.config.platform.deviceId,
        board: {
          state: board?.state ?? 'absent',
          simulated: status.board.simulated,
          path: board?.path ?? null,
          serial: board?.serial ?? null,
          firmware: board?.firmware ?? null,
          bootId: board?.bootId ?? null,
          counters: { ...(board?.counters ?? {}) },
          expectedSerial: board?.expectedSerial ?? null,
          refusal: board?.refusal ?? null,
          leds: core.hardware.simulator ? [...core.hardware.simulator.leds()] : null,
        },
        printer: {
          state: printer?.state ?? 'absent',
          paperLow: printer?.paperLow ?? false,
          detail: printer?.detail ?? null,
          kind: core.config.printer.kind,
          lastJob: printer?.lastJob ?? null,
        },
        sync: {
          online: sync?.online ?? false,
          pending: ob.pending,
          rejected: ob.rejected,
          oldestPendingMs: ob.oldestPendingMs,
          // on the pad's steady clock: the screen's own clock may have jumped (decision 195)
          oldestPendingAgeMs:
            ob.oldestPendingMs === null ? null : Math.max(0, core.clock.now() - ob.oldestPendingMs),
          lastAckMs: ob.lastAckMs,
          lastError: sync?.lastError ?? null,
          nextAttemptMs: sync?.nextAttemptMs ?? null,
          rejectedItems: rejectedItems(core.db, 50).map((r) => ({
            ref: r.ref,
            deviceSeq: r.deviceSeq,
            code: r.code,
            message: r.message,
          })),
        },
        db: core.devices.dbInfo(),
        windowApi: { url: core.windowApiUrl, tlsFingerprint: core.windowApiFingerprint },
      };
    },
    boardTest: async (p, session) => {
      requireTech(session);
      const board = core.hardware.board;
      if (!board) throw new ApiError('board_absent', '未配置评价器 / no board configured');
      if (p.action === 'leds') await board.setLeds(p.modes as Array<0 | 1 | 2 | 3 | 4>);
      else await board.beep(p.freqHz, p.durationMs);
      return { ok: true };
    },
    boardSelectPort: async ({ path }, session) => {
      requireTech(session);
      if (!core.hardware.board || core.hardware.simulated)
        throw new ApiError('board_simulated', '模拟评价器无需选择端口 / the simulated board has no port');
      await core.hardware.board.selectPort(path);
      return { ok: true };
    },
    boardListPorts: async (_p, session) => {
      requireTech(session);
      return {
        ports:
          core.hardware.board && !core.hardware.simulated
            ? await core.hardware.board.listCandidatePorts()
            : [],
      };
    },
    printerTestPage: async (_p, session) => {
      requireTech(session);
      if (!core.hardware.printer)
        throw new ApiError('printer_unavailable', '未配置打印机 / no printer configured');
      await core.hardware.printer.printTestPage();
      return { ok: true };
    },
    syncNow: async (_p, session) => {
      requireTech(session);
      if (!core.sync.service) throw new ApiError('sync_unavailable', '同步未启动 / sync not running');
      const st = await core.sync.service.syncNow();
      return { pending: st.pending };
    },
    // The 设置 tab: every change needs the unlocked technician screen (host/reconfigure.ts).
    techSettings: (_p, session) => {
      requireTech(session);
      return core.settings.settings();
    },
    techApplySettings: (change, session) => {
      requireTech(session);
      return core.settings.apply(change);
    },
    techRotateToken: (_p, session) => {
      requireTech(session);
      return core.settings.rotateToken();
    },
    techChangeCode: ({ current, next }, session) => {
      requireTech(session);
      return core.settings.changeCode(current, next);
    },
    simulatePress: ({ key }) => {
      const sim = core.hardware.simulator;
      if (!sim)
        throw new ApiError(
          'not_simulated',
          '只有模拟评价器可以模拟按键 / only the simulated board can be pressed from here',
        );
      sim.press(key);
      return { ok: true };
    },
  };
}
