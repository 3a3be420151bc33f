import { join } from 'node:path';
import type { KioskConfig } from '../config/config.js';
import { KioskCore, type CoreOptions } from './core.js';
import { startShellServer } from './shell-server.js';
import { appRoot } from './paths.js';

export const RENDERER_DIR = join(appRoot(), 'dist', 'renderer');

/** The core plus the browser shell's server: what `npm start` runs where Electron is absent. */
export async function runBrowserShell(
  config: KioskConfig,
  opts: Omit<CoreOptions, 'config'> & { rendererDir?: string } = {},
): Promise<{ core: KioskCore; url: string; stop(): Promise<void> }> {
  const core = await KioskCore.start(config, opts);
  try {
    const shell = await startShellServer({
      rendererDir: opts.rendererDir ?? RENDERER_DIR,
      port: config.shell.port,
      dispatch: core.dispatch,
      subscribe: (l) => core.subscribe(l),
      log: core.log.write,
    });
    return {
      core,
      url: shell.url,
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
