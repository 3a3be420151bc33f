import type { KioskConfig } from '../config/config.js';
import type { PadClock } from '../domain/clock.js';
import type { EvaluationService } from '../service/evaluations.js';
import type { ClockOffset } from '../store/clock-offset.js';
import type { Db } from '../store/db.js';
import type { HardwareBridge } from './hardware.js';
import type { KioskLogger } from './log.js';
import type { DeadlineTimer } from './screen-timers.js';
import { STORAGE_NOTICES } from './storage-guard.js';
import type { StorageHealth } from './storage-health.js';
import type { SyncBridge } from './sync-bridge.js';
import { foldStep, pruneOldRecords } from './upkeep.js';
import type { WindowApiService } from './window-api-service.js';

/** What starting the pad's running parts needs of the composition root. */
export interface StartableCore {
  readonly config: KioskConfig;
  readonly dataDir: string;
  readonly clock: PadClock;
  readonly log: KioskLogger;
  readonly db: Db;
  readonly storage: StorageHealth;
  readonly sync: SyncBridge;
  readonly hardware: HardwareBridge;
  readonly evaluations: EvaluationService;
  readonly clockOffset: Pick<ClockOffset, 'offsetMs' | 'unsynced'>;
  readonly windowApi: Pick<WindowApiService, 'start' | 'close'>;
  notice(level: 'info' | 'warn' | 'error', text: string, audience: 'staff' | 'tech'): void;
  pushSnapshot(): void;
  applyPlatformSequence(): void;
}

type Closer = () => Promise<void> | void;

/**
 * Starts what runs once the parts are built, in order: the storage watch, the wall-clock watch,
 * sync, hardware, the window API, retention; then closes, as unrated, whatever ran out while the
 * pad was off. Each started part leaves its closer in `closers` (stopped in reverse).
 */
export async function startRunningParts(
  core: StartableCore,
  deadlines: DeadlineTimer,
  windowApi: boolean,
  closers: Closer[],
): Promise<void> {
  const { storage, log } = core;
  storage.start();
  closers.push(() => storage.stop());
  storage.onChange((state) => {
    core.notice(state === 'ok' ? 'info' : 'error', STORAGE_NOTICES[state], 'tech');
    core.pushSnapshot();
  });
  watchWallClock(core, closers);
  core.applyPlatformSequence();
  await core.sync.start();
  closers.push(() => core.sync.stop());
  await core.hardware.start();
  closers.push(() => core.hardware.stop());
  if (windowApi) {
    await core.windowApi.start(core.config);
    closers.push(() => core.windowApi.close());
  }
  const prune = () =>
    pruneOldRecords(core.db, core.config.retention.keepDeliveredDays, log.write, () =>
      core.clockOffset.unsynced() ? null : core.clock.now() + core.clockOffset.offsetMs(),
    );
  prune();
  const pruneTimer = setInterval(prune, 6 * 3600_000);
  pruneTimer.unref();
  closers.push(() => clearInterval(pruneTimer));
  // Anything that ran out while the pad was off closes now, as unrated.
  core.evaluations.expireDue({ setOnAnotherClock: true });
  scheduleFolding(core, closers);
  deadlines.schedule();
  core.hardware.applyIdleLeds();
}

/** How often closed evaluations are looked at for folding: small batches through the day. */
const FOLD_EVERY_MS = 10 * 60_000;
/** The first look after a start, once the pad serves (a start must answer within a second). */
const FIRST_FOLD_AFTER_MS = 30_000;
/** Between the steps of a backlog (a pad updated with months of rows): presses go first. */
const FOLD_STEP_GAP_MS = 200;

function scheduleFolding(core: StartableCore, closers: Closer[]): void {
  let stopped = false;
  let next: NodeJS.Timeout | null = null;
  const run = () => {
    next = null;
    // A damaged, read-only or recovering database is not written; a full disk is (folding frees pages).
    // Nor before the platform confirmed the clock: the fold places an evaluation on its day with
    // the offset it knows then, for good (an RTC that booted in 2000 would put today's in 2000).
    const state = core.storage.state();
    if (stopped || (state !== 'ok' && state !== 'full') || core.clockOffset.unsynced()) return;
    if (foldStep(core.db, core.clock.now(), core.clockOffset.offsetMs(), core.log.write) && next === null) {
      next = setTimeout(run, FOLD_STEP_GAP_MS);
      next.unref();
    }
  };
  next = setTimeout(run, FIRST_FOLD_AFTER_MS);
  next.unref();
  const every = setInterval(() => {
    if (next === null) run();
  }, FOLD_EVERY_MS);
  every.unref();
  closers.push(() => {
    stopped = true;
    clearInterval(every);
    if (next !== null) clearTimeout(next);
  });
}

/** A wall-clock jump is noticed within a second, logged, and the screen's countdown re-based. */
function watchWallClock(core: StartableCore, closers: Closer[]): void {
  const off = core.clock.onJump((jumpMs) => {
    core.log.write('warn', '系统时钟跳变 / wall clock jumped', { jumpMs: Math.round(jumpMs) });
    core.pushSnapshot();
  });
  const tick = setInterval(() => core.clock.now(), 1000);
  tick.unref();
  closers.push(() => {
    clearInterval(tick);
    off();
  });
}
