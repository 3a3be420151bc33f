import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writePrivateFile } from './data-dir.js';
import type { KioskConfig } from '../config/config.js';
import { kioskMode } from '../config/provisioning.js';
import { KioskCore, type CoreOptions } from './core.js';
import { startShellServer } from './shell-server.js';
import { appRoot } from './paths.js';
import { resolveVoiceFile } from './voice-files.js';

export const RENDERER_DIR = join(appRoot(), 'dist', 'renderer');

/** The core plus the browser shell's server: what `npm start` runs where Electron is absent. */
export async function runBrowserShell(
  config: KioskConfig,
  opts: Omit<CoreOptions, 'config'> & { rendererDir?: string; shellToken?: string } = {},
): Promise<{ core: KioskCore; url: string; launchUrl: string; stop(): Promise<void> }> {
  const core = await KioskCore.start(config, opts);
  try {
    const shell = await startShellServer({
      rendererDir: opts.rendererDir ?? RENDERER_DIR,
      port: config.shell.port,
      dispatch: core.dispatch,
      subscribe: (l) => core.subscribe(l),
      log: core.log.write,
      ...(opts.shellToken ? { token: opts.shellToken } : {}),
      voiceFile: (urlPath) => resolveVoiceFile(core.dataDir, urlPath),
    });
    return {
      core,
      url: shell.url,
      launchUrl: writeLaunchFile(core.dataDir, kioskMode(config) ? `${shell.url}&kiosk=1` : shell.url),
      async stop() {
        await shell.close();
        await core.stop();
      },
    };
  } catch (err) {
    await core.stop();
    throw err;
  }
}

/**
 * The shell's address carries its session token, so it is handed to Chromium as a private file
 * (0600, in the data dir) that forwards to it, never as a command-line argument (visible in
 * `ps` to every local user) or on stdout.
 */
export function writeLaunchFile(dataDir: string, url: string): string {
  const file = join(dataDir, 'shell-launch.html');
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  writePrivateFile(
    file,
    `<!doctype html><meta charset="utf-8"><title>hcp-kiosk</title>\n` +
      `<a id="go" data-url="${attr}" href="${attr}">打开评价器 / open the pad</a>\n` +
      `<script>location.replace(document.getElementById('go').dataset.url)</script>\n`,
  );
  return pathToFileURL(file).href;
}
