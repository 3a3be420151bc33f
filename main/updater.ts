import { app } from 'electron';
import { autoUpdater } from 'electron-updater';
import { join } from 'node:path';
import type { UpdatesConfig } from '../src/config/updates';
import {
  beforeInstall,
  judgeInstall,
  judgeOffer,
  onHealthy,
  onStart,
  type UpdateState,
} from '../src/host/update-policy';
import { readUpdateState, writeUpdateState } from '../src/host/update-state';

/**
 * electron-updater against the hall's or city's file server (decision 202). What to take and
 * when to install is decided by src/host/update-policy.ts; this file only asks the server and
 * does what the policy says. Server layout: `<url>/<channel>/latest-linux.yml` (+ installers) for
 * the current release, `<url>/versions/<x.y.z>/…` for each release kept, used for a pin or a
 * rollback. The pad's data directory is outside the app: an update never touches it.
 */
export interface UpdaterCore {
  dataDir: string;
  updateActivity(): { openEvaluation: boolean; pendingPrints: number };
  schemaVersion(): number;
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

const HEALTHY_AFTER_MS = 120_000;
const POLL_MS = 30_000;

export function startUpdater(core: UpdaterCore, config: UpdatesConfig): () => void {
  const file = join(core.dataDir, 'update-state.json');
  const running = app.getVersion();
  let state: UpdateState = readUpdateState(file);
  const save = (next: UpdateState) => {
    state = next;
    writeUpdateState(file, state);
  };
  const verdict = onStart(state, running, core.schemaVersion());
  save(verdict.state);
  if (verdict.alert) core.log(verdict.rollbackTo ? 'warn' : 'error', verdict.alert);
  const healthy = setTimeout(() => save(onHealthy(state, running)), HEALTHY_AFTER_MS);
  healthy.unref();
  // Without updates.url a packaged pad still follows the server it was built for
  // (app-update.yml, written by `npm run dist` from HCP_UPDATE_URL); pins and rollbacks need the URL.
  if (config.url === null && !app.isPackaged) return () => clearTimeout(healthy);

  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.logger = {
    info: (m: unknown) => core.log('info', `updater: ${String(m)}`),
    warn: (m: unknown) => core.log('warn', `updater: ${String(m)}`),
    error: (m: unknown) => core.log('error', `updater: ${String(m)}`),
    debug: () => undefined,
  };
  let downloaded: string | null = null;
  let lastBusyMs = Date.now();
  let checking = false;

  const check = async () => {
    if (checking || downloaded) return;
    checking = true;
    try {
      const target = config.pinVersion ?? state.rollbackTo;
      if (config.url !== null) {
        const base = config.url.replace(/\/+$/, '');
        autoUpdater.setFeedURL({
          provider: 'generic',
          url: target ? `${base}/versions/${target}` : `${base}/${config.channel}`,
        });
      } else if (target !== null) {
        core.log('error', 'updates.url is needed to install a pinned or earlier version', { target });
        return;
      }
      autoUpdater.allowDowngrade = target !== null;
      const result = await autoUpdater.checkForUpdates();
      const offered = result?.updateInfo.version;
      if (!offered) return;
      const offer = judgeOffer(offered, running, state, config);
      core.log('info', 'update offered', { offered, running, take: offer.take, reason: offer.reason });
      if (!offer.take) return;
      await autoUpdater.downloadUpdate();
      downloaded = offered;
    } catch (err) {
      core.log('warn', 'update check failed', { error: (err as Error).message });
    } finally {
      checking = false;
    }
  };

  const maybeInstall = () => {
    const activity = core.updateActivity();
    if (activity.openEvaluation || activity.pendingPrints > 0) lastBusyMs = Date.now();
    if (!downloaded) return;
    const rollback = state.rollbackTo !== null && downloaded === state.rollbackTo;
    const decision = judgeInstall({ ...activity, lastBusyMs }, config, Date.now(), rollback);
    if (!decision.install) return;
    save(beforeInstall(state, running, downloaded, core.schemaVersion(), Date.now()));
    core.log('warn', 'installing update', { from: running, to: downloaded });
    autoUpdater.quitAndInstall(true, true);
  };

  const checkTimer = setInterval(() => void check(), config.checkEveryMin * 60_000);
  const pollTimer = setInterval(maybeInstall, POLL_MS);
  void check();
  return () => {
    clearTimeout(healthy);
    clearInterval(checkTimer);
    clearInterval(pollTimer);
  };
}
