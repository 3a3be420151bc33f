/**
 * The setup screen in Electron (decision 165): the same setup server the browser shell uses, on
 * 127.0.0.1 with its one-time token, shown in a locked-down window without a preload — the page
 * talks to the server over loopback HTTP, where every call is checked with the setup contract's
 * zod schemas, so there is no second, IPC copy of that API to keep in step. Once the platform
 * accepted the pad and the configuration is saved, `startPad` opens the pad's own window and this
 * one closes.
 */
import { app, BrowserWindow } from 'electron';
import type { KioskConfig } from '../src/config/config';
import { loadConfig } from '../src/config/config';
import { kioskMode } from '../src/config/provisioning';
import { startSetup } from '../src/host/setup-mode';
import { blockedInput } from './input-filter';

export async function runSetupWindow(opts: {
  rendererDir: string;
  startPad: (config: KioskConfig) => Promise<void>;
}): Promise<void> {
  // Kiosk as the pad will be: a packaged pad's session says so (HCP__shell__kiosk) or it is packaged.
  const env = { ...process.env };
  delete env.HCP_CONFIG;
  const kiosk = app.isPackaged || kioskMode(loadConfig({ env }));
  const allowDevTools = !app.isPackaged && !kiosk;
  let setupWin: BrowserWindow | null = null;
  const setup = await startSetup({
    configFile: process.env.HCP_CONFIG,
    overrides: {},
    rendererDir: opts.rendererDir,
    print: (line) => console.log(line),
    async startPad(config) {
      await opts.startPad(config);
      // The pad's window is open: this one may go (closing the last window would quit the app).
      const done = setupWin;
      setupWin = null;
      setTimeout(() => done?.destroy(), 500);
      // The page stays where it is; the pad's own window takes over.
      return '';
    },
  });
  const origin = new URL(setup.url).origin;
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#f3f5f9',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools: allowDevTools,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  setupWin = win;
  win.removeMenu();
  // No camera, microphone, notifications…: the setup page asks for nothing.
  win.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  win.webContents.session.setPermissionCheckHandler(() => false);
  win.webContents.on('before-input-event', (e, input) => {
    if (blockedInput(input, allowDevTools)) e.preventDefault();
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (new URL(url).origin !== origin) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.on('close', (e) => {
    if (kiosk && setupWin === win) e.preventDefault();
  });
  app.on('before-quit', () => void setup.close());
  await win.loadURL(setup.url);
}
