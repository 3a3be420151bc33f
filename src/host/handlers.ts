import { ApiError } from '../api/contract.js';
import type { ClientSession, Handlers } from '../api/dispatch.js';
import { outboxStats, rejectedItems } from '../store/outbox.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_VERSION } from './version.js';
import type { KioskCore } from './core.js';

/** Every command of the contract, mapped onto the core. Params arrive already validated. */
export function buildHandlers(core: KioskCore): Handlers {
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

    staffSignIn: ({ staffId, pin }, session) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      const member = core.staff.signInWithPin(staffId, pin);
      core.staffPanel.lockAll(); // a new shift: every other screen session locks
      core.staffPanel.unlock(session, member.staffId); // the PIN was just typed here
      return { staff: core.staffCard(member), lockAfterS };
    },
    staffUnlock: ({ pin }, session) => {
      if (core.evaluations.openEvaluation())
        throw new ApiError('staff_panel_closed', '评价进行中 / a rating is open');
      const member = core.staff.verifySignedInPin(pin);
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
    cancelEvaluation: ({ evaluationId, reason, pin }) => {
      const member = core.staff.verifySignedInPin(pin);
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
