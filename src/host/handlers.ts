import { ApiError } from '../api/contract.js';
import type { ClientSession, Handlers } from '../api/dispatch.js';
import { outboxStats, rejectedItems } from '../store/outbox.js';
import { timingSafeEqual } from 'node:crypto';
import { APP_VERSION } from './version.js';
import type { KioskCore } from './core.js';

/** Every command of the contract, mapped onto the core. Params arrive already validated. */
export function buildHandlers(core: KioskCore): Handlers {
  const requireTech = (session: ClientSession) => {
    if (!session.techUnlocked)
      throw new ApiError('tech_locked', '需要技术维护口令 / technician code required');
  };
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

    staffSignIn: ({ staffId, pin }) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      return { staff: core.staffCard(core.staff.signInWithPin(staffId, pin)) };
    },
    staffBadge: ({ code }) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      return { staff: core.staffCard(core.staff.signInWithBadge(code)) };
    },
    staffSignOut: () => {
      core.requireStaffPanel();
      core.staff.signOut();
      return { ok: true };
    },
    setWindowState: ({ state }) => {
      core.requireStaffPanel();
      return { state: core.staff.setState(state) };
    },
    startEvaluation: async (input) => {
      core.requireStaffPanel();
      const { evaluationId } = await core.startEvaluation(input, 'staff_panel');
      return { evaluationId, state: 'waiting' };
    },
    cancelEvaluation: ({ evaluationId, reason }) => {
      const st = core.staff.status();
      if (!st.staff) throw new ApiError('no_staff', '请先签到 / sign in first');
      core.cancelEvaluation(evaluationId, reason, `staff_panel:${st.staff.staffId}`);
      return { ok: true };
    },
    staffOverview: () => {
      const staff = core.requireStaffPanel();
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
    fileAppeal: ({ recordId, reason }) => {
      const staff = core.requireStaffPanel();
      const out = core.queries.fileAppeal(staff.staffId, recordId, reason);
      core.sync.kick(true);
      return out;
    },
    printReceipt: async ({ evaluationId }) => {
      core.requireStaffPanel();
      return core.receipts.printForEvaluation(evaluationId);
    },
    catalog: () => ({ tasks: core.refdata.tasks(), chains: core.refdata.chains() }),

    techUnlock: ({ code }, session) => {
      const a = Buffer.from(code);
      const b = Buffer.from(core.config.technician.code);
      if (a.length !== b.length || !timingSafeEqual(a, b))
        throw new ApiError('bad_credentials', '口令错误 / wrong technician code', 'code');
      session.techUnlocked = true;
      return { ok: true };
    },
    techStatus: (_p, session) => {
      requireTech(session);
      const board = core.hardware.board?.status();
      const printer = core.hardware.printer?.status();
      const sync = core.sync.service?.status();
      const ob = outboxStats(core.db);
      return {
        appVersion: APP_VERSION,
        dataDir: core.dataDir,
        deviceId: core.config.platform.deviceId,
        board: {
          state: board?.state ?? 'absent',
          simulated: core.hardware.simulated,
          path: board?.path ?? null,
          serial: board?.serial ?? null,
          firmware: board?.firmware ?? null,
          bootId: board?.bootId ?? null,
          counters: { ...(board?.counters ?? {}) },
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
        db: core.dbInfo(),
        windowApi: { url: core.windowApiUrl },
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
