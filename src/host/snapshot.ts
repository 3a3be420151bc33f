import type { KioskSnapshot, Screen, WindowState } from '../api/contract.js';
import { isBadReview } from '../domain/levels.js';
import type { Norms } from '../domain/types.js';
import type { CaseRow, EvaluationRow } from '../service/evaluations.js';
import type { BoardState, PrinterState } from './device-status.js';

export interface StaffCard {
  staffId: string;
  name: string;
  title: string;
  photoUrl: string | null;
}

/** Everything the citizen screen's view depends on, read by the caller at one moment. */
export interface SnapshotFacts {
  nowMs: number;
  hallName: string;
  windowNo: string;
  norms: Norms;
  windowState: WindowState;
  staff: StaffCard | null;
  open: { evaluation: EvaluationRow; cases: CaseRow[]; targets: CaseRow[] } | null;
  /** the thanks / unrated screen that stays for a moment after an evaluation closes */
  afterglow: { screen: Screen; untilMs: number; evaluationId: string; chosen: number | null } | null;
  /** whether the afterglow's evaluation has a receipt on paper (the unrated screen's QR promise) */
  afterglowReceiptPrinted: boolean;
  board: BoardState;
  printer: PrinterState;
  boardSimulated: boolean;
  serverTimeOffsetMs: number;
  storage: KioskSnapshot['storage'];
  citizen: KioskSnapshot['citizen'];
}

/** The screen's view model: a pure function of the facts, so it is the same on every transport. */
export function buildSnapshot(f: SnapshotFacts): KioskSnapshot {
  let screen: Screen = 'idle';
  let prompt: KioskSnapshot['prompt'] = null;
  let receiptPrinted = false;
  if (f.open) {
    const { evaluation: ev, cases, targets } = f.open;
    const chosen = ev.state === 'reasons' ? (targets[0]?.chosen_satisfaction ?? null) : null;
    screen =
      ev.state === 'reasons'
        ? 'reasons'
        : ev.group_type === 'chain' && ev.chain_mode === null
          ? 'chain_choice'
          : 'rating';
    prompt = {
      evaluationId: ev.id,
      groupType: ev.group_type,
      chainMode: ev.chain_mode,
      items: cases.map((c) => ({ idx: c.idx, taskName: c.task_name, projectNo: c.project_no })),
      currentIdx: ev.current_idx,
      deadlineMs: ev.step_deadline_ms ?? f.nowMs,
      chosen,
      reasonsRequired: chosen !== null && isBadReview(chosen),
      indicators: chosen === null ? [] : f.norms.items.filter((i) => i.starLevel === chosen),
    };
  } else if (f.afterglow && f.afterglow.untilMs > f.nowMs) {
    screen = f.afterglow.screen;
    // The unrated screen promises a receipt QR only when one is on paper (issue: receipts truth).
    receiptPrinted = f.afterglowReceiptPrinted;
  }
  return {
    screen,
    hallName: f.hallName,
    windowNo: f.windowNo,
    windowState: f.windowState,
    staff: f.staff,
    prompt,
    staffPanelOpen: f.open === null,
    hardware: { board: f.board, printer: f.printer, boardSimulated: f.boardSimulated },
    normVersion: f.norms.version,
    serverTimeOffsetMs: f.serverTimeOffsetMs,
    storage: f.storage,
    thanksUntilMs: screen === 'thanks' || screen === 'unrated' ? (f.afterglow?.untilMs ?? null) : null,
    receiptPrinted,
    thanksChosen: screen === 'thanks' ? (f.afterglow?.chosen ?? null) : null,
    citizen: f.citizen,
  };
}

/**
 * The snapshot with its pad-clock instants in the operating system's clock frame: the renderer
 * counts down against `Date.now()`, and after a wall-clock jump the pad's steady clock and the
 * wall clock part (decision 195).
 */
export function inWallClockFrame(wallSkewMs: number, f: SnapshotFacts): KioskSnapshot {
  const snap = buildSnapshot(f);
  if (wallSkewMs === 0) return snap;
  return {
    ...snap,
    prompt: snap.prompt ? { ...snap.prompt, deadlineMs: snap.prompt.deadlineMs + wallSkewMs } : null,
    thanksUntilMs: snap.thanksUntilMs === null ? null : snap.thanksUntilMs + wallSkewMs,
  };
}
