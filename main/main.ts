/**
 * The Electron shell: one locked-down window showing the renderer from a custom protocol, the core
 * running in this process, and the kiosk API over IPC. Everything else lives in src/ (plain Node).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  net,
  powerSaveBlocker,
  protocol,
  session,
  type IpcMainInvokeEvent,
} from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientSession } from '../src/api/dispatch';
import { loadConfig, type KioskConfig } from '../src/config/config';
import { kioskMode } from '../src/config/provisioning';
import { electronSetupPlan } from './setup-plan';
import { runSetupWindow } from './setup-window';
import { KioskCore } from '../src/host/core';
import { explainStartError } from '../src/host/start-errors';
import { EXIT_CRASHED, installProcessGuard } from '../src/host/process-guard';
import { resolveVoiceFile } from '../src/host/voice-files';
import { blockedInput } from './input-filter';
import { startUpdater } from './updater';

const APP_ORIGIN = 'app://kiosk';
const RENDERER_DIR = join(__dirname, '..', 'renderer');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// No application menu: its accelerators (reload, DevTools, close, zoom) are gone with it.
Menu.setApplicationMenu(null);

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app
    .whenReady()
    .then(launch)
    .catch((err: unknown) => {
      // One sentence naming the setting to change, not a stack trace (the journal keeps both).
      const text = explainStartError(err, loadedConfig) ?? (err as Error).message;
      console.error(`启动失败 / start failed: ${text}`, err);
      dialog.showErrorBox('启动失败 / start failed', text);
      app.exit(2);
    });
}

let loadedConfig: KioskConfig | null = null;

/** The setup screen first when the pad has no configuration yet, or with --setup (decision 165). */
async function launch(): Promise<void> {
  const plan = electronSetupPlan({
    argv: process.argv,
    env: process.env,
    packaged: app.isPackaged,
    userDataDir: app.getPath('userData'),
  });
  Object.assign(process.env, plan.env);
  if (!plan.setup) return start();
  await runSetupWindow({ rendererDir: RENDERER_DIR, startPad: start });
}

async function start(saved?: KioskConfig): Promise<void> {
  const config = saved ?? loadConfig();
  loadedConfig = config;
  const core = await KioskCore.start(config);
  // Electron is its own supervisor: a process-level error relaunches the app (the kiosk
  // session's systemd unit restarts it if even that fails).
  installProcessGuard({
    log: (msg, fields) => core.log.write('error', msg, fields),
    onFatal: () => {
      app.relaunch();
      app.exit(EXIT_CRASHED);
    },
  });

  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const rel = url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname);
    const voice = url.host === 'kiosk' ? resolveVoiceFile(core.dataDir, rel) : null;
    if (voice) {
      return net
        .fetch(pathToFileURL(voice.file).toString())
        .then(
          (res) => new Response(res.body, { status: res.status, headers: { 'Content-Type': voice.mime } }),
        );
    }
    const file = normalize(join(RENDERER_DIR, rel));
    if (url.host !== 'kiosk' || !file.startsWith(RENDERER_DIR + sep))
      return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString()).then((res) => {
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', CSP);
      return new Response(res.body, { status: res.status, headers });
    });
  });

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const kiosk = kioskMode(config);
  const startUrl = `${APP_ORIGIN}/index.html${kiosk ? '#kiosk=1' : ''}`;
  // DevTools exist only in an unpackaged app on a developer's desk, never on a packaged pad.
  const allowDevTools = !app.isPackaged && !kiosk;
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#0b3d6b',
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools: allowDevTools,
      // A middle click opens no new window (setWindowOpenHandler denies them anyway).
      disableBlinkFeatures: 'Auxclick',
      zoomFactor: 1,
      // The voice prompts play without a tap first: the citizen hears the greeting as it opens.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  win.removeMenu();
  // Chromium's own shortcuts (reload, DevTools, close, zoom, print) never reach the page.
  win.webContents.on('before-input-event', (e, input) => {
    const reason = blockedInput(input, allowDevTools);
    if (reason) e.preventDefault();
  });
  // Pinch and Ctrl+wheel zoom: the layout is made for this screen at 100 %.
  void win.webContents.setVisualZoomLevelLimits(1, 1);
  win.webContents.on('zoom-changed', () => win.webContents.setZoomFactor(1));
  // In kiosk mode a window close (Alt+F4 from the session, a stray click) is vetoed; only the
  // app's own quit (service stop, relaunch) closes it.
  let quitting = false;
  win.on('close', (e) => {
    if (kiosk && !quitting) e.preventDefault();
  });
  // A crashed or hung page would leave the citizen a blank screen: load it again.
  win.webContents.on('render-process-gone', () => {
    if (!win.isDestroyed()) void win.loadURL(startUrl);
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());

  const sessions = new WeakMap<Electron.WebContents, ClientSession>();
  const trusted = (e: IpcMainInvokeEvent) =>
    e.senderFrame?.url.startsWith(APP_ORIGIN + '/') === true && e.sender === win.webContents;
  ipcMain.handle('kiosk:invoke', async (e, method: unknown, params: unknown) => {
    if (!trusted(e))
      return { kind: 'result', id: 0, ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    let s = sessions.get(e.sender);
    if (!s) sessions.set(e.sender, (s = { techUnlocked: false }));
    const out = await core.dispatch(typeof method === 'string' ? method : '', params, s);
    return { kind: 'result', id: 0, ...out };
  });
  const unsubscribe = core.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send('kiosk:event', event, payload);
  });

  const stopUpdater = startUpdater(
    {
      dataDir: core.dataDir,
      updateActivity: () => core.updateActivity(),
      schemaVersion: () => Number(core.db.pragma('user_version', { simple: true })),
      log: (level, msg, fields) => core.log.write(level, msg, fields),
    },
    config.updates,
  );
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    quitting = true;
    stopUpdater();
    unsubscribe();
    void core.stop();
  });
  if (kiosk) {
    // The screen stays on while the pad runs; service hours switch it off from outside.
    powerSaveBlocker.start('prevent-display-sleep');
  }
  await win.loadURL(startUrl);
}
