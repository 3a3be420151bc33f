import { z } from 'zod';
import { withinDailyHours } from '../api/citizen.js';
import type { UpdatesConfig } from '../config/updates.js';

/**
 * When the pad takes and installs a new version (decision 202). Pure: the Electron side
 * (main/updater.ts) feeds it facts and does what it says; everything here is tested without
 * Electron. The rules: an update never interrupts a citizen (no open evaluation, no receipt being
 * printed, a quiet spell first, only in the install hours); a version that failed to come up is
 * never taken again; a failed update rolls back to the version before it when the database has
 * not moved past what that version understands.
 */

export const updateStateSchema = z
  .object({
    /** written just before an install: what to go back to */
    installing: z
      .object({
        from: z.string(),
        to: z.string(),
        /** the database's schema version when the old version ran (`user_version`) */
        fromSchema: z.number().int().min(0),
        atMs: z.number(),
      })
      .nullable()
      .default(null),
    /** starts of the running version that did not (yet) reach a healthy state */
    unconfirmedStarts: z
      .object({ version: z.string(), count: z.number().int().min(0) })
      .nullable()
      .default(null),
    badVersions: z.array(z.string()).max(50).default([]),
    /** a rollback the pad decided on: take this (older) version next */
    rollbackTo: z.string().nullable().default(null),
  })
  // Not strict: after a rollback the older version reads what a newer one wrote; a field it does
  // not know must not make it forget the bad versions (it would take the bad one again).
  .strip();

export type UpdateState = z.infer<typeof updateStateSchema>;
export const EMPTY_UPDATE_STATE: UpdateState = updateStateSchema.parse({});

/** A version that starts this often without becoming healthy has failed. */
export const FAILED_AFTER_STARTS = 3;

/** Semantic-version order (semver.org §11): numbers numerically, pre-release identifiers one by one. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const dash = v.indexOf('-');
    const core = dash < 0 ? v : v.slice(0, dash);
    const pre = dash < 0 ? null : v.slice(dash + 1).split('.');
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === null || y.pre === null) {
    if (x.pre === y.pre) return 0;
    return x.pre === null ? 1 : -1; // a release is newer than its pre-releases
  }
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1; // fewer identifiers, all equal so far: older
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return p < q ? -1 : 1;
  }
  return 0;
}

export type OfferDecision =
  { take: true; downgrade: boolean; reason: string } | { take: false; reason: string };

/** Is the version the server offers one to download? */
export function judgeOffer(
  offered: string,
  current: string,
  state: UpdateState,
  config: Pick<UpdatesConfig, 'pinVersion'>,
): OfferDecision {
  if (state.badVersions.includes(offered))
    return { take: false, reason: `${offered} failed on this pad before` };
  const target = config.pinVersion ?? state.rollbackTo;
  if (target !== null) {
    if (offered !== target) return { take: false, reason: `waiting for ${target} (pinned or rolling back)` };
    if (offered === current) return { take: false, reason: `${offered} is running` };
    return {
      take: true,
      downgrade: compareVersions(offered, current) < 0,
      reason: `${offered} is the version asked for`,
    };
  }
  if (compareVersions(offered, current) <= 0)
    return { take: false, reason: `${offered} is not newer than ${current}` };
  return { take: true, downgrade: false, reason: `${offered} is newer than ${current}` };
}

export interface PadActivity {
  openEvaluation: boolean;
  pendingPrints: number;
  /** when the pad was last busy (an evaluation open or a receipt printing), epoch ms */
  lastBusyMs: number;
}

export type InstallDecision = { install: true; reason: string } | { install: false; reason: string };

/** May a downloaded update be installed now (the app restarts)? */
export function judgeInstall(
  activity: PadActivity,
  config: Pick<UpdatesConfig, 'installHours' | 'idleMin'>,
  nowMs: number,
  rollback = false,
): InstallDecision {
  if (activity.openEvaluation) return { install: false, reason: 'an evaluation is open' };
  if (activity.pendingPrints > 0) return { install: false, reason: 'a receipt is printing' };
  // The running version keeps failing: waiting for the night would keep the window on it.
  if (rollback) return { install: true, reason: 'rollback from a failing version, nothing open' };
  if (!withinDailyHours(config.installHours, nowMs))
    return { install: false, reason: `outside the install hours ${config.installHours}` };
  const quietMs = nowMs - activity.lastBusyMs;
  if (quietMs < config.idleMin * 60_000)
    return {
      install: false,
      reason: `busy ${Math.round(quietMs / 1000)} s ago; waits ${config.idleMin} min`,
    };
  return { install: true, reason: 'no evaluation, no receipt, install hours, quiet' };
}

/** Just before the app quits to install `to`. */
export function beforeInstall(
  state: UpdateState,
  from: string,
  to: string,
  schemaVersion: number,
  nowMs: number,
): UpdateState {
  return { ...state, installing: { from, to, fromSchema: schemaVersion, atMs: nowMs } };
}

export interface StartVerdict {
  state: UpdateState;
  /** roll back to this version now */
  rollbackTo: string | null;
  /** for the heartbeat and doctor: a technician must look */
  alert: string | null;
}

/**
 * At every start, before the pad is known to be healthy: counts the start; the version that an
 * install brought and that keeps failing to come up is marked bad and rolled back from, if the
 * database still suits the version before it.
 */
export function onStart(state: UpdateState, running: string, schemaVersion: number): StartVerdict {
  const count = state.unconfirmedStarts?.version === running ? state.unconfirmedStarts.count + 1 : 1;
  let next: UpdateState = { ...state, unconfirmedStarts: { version: running, count } };
  const inst = state.installing;
  if (inst && inst.to === running && count >= FAILED_AFTER_STARTS) {
    next = { ...next, badVersions: [...new Set([...next.badVersions, running])].slice(-50) };
    if (schemaVersion > inst.fromSchema)
      return {
        state: { ...next, installing: null },
        rollbackTo: null,
        alert:
          `版本 ${running} 启动失败，且数据库已升级，不能自动回退到 ${inst.from} / version ${running} fails to start and ` +
          `the database was migrated past what ${inst.from} reads: a technician must install a fixed version`,
      };
    return {
      state: { ...next, installing: null, rollbackTo: inst.from },
      rollbackTo: inst.from,
      alert: `版本 ${running} 启动失败，回退到 ${inst.from} / version ${running} failed to start ${count} times: rolling back to ${inst.from}`,
    };
  }
  return { state: next, rollbackTo: null, alert: null };
}

/** The pad came up and served (window API listening, the screen loaded, a while without a crash). */
export function onHealthy(state: UpdateState, running: string): UpdateState {
  const doneRollback = state.rollbackTo === running ? null : state.rollbackTo;
  const doneInstall = state.installing?.to === running ? null : state.installing;
  return { ...state, unconfirmedStarts: null, installing: doneInstall, rollbackTo: doneRollback };
}
