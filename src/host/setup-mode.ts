import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/config.js';
import { RENDERER_DIR, runBrowserShell } from './shell.js';
import { startSetupServer } from './setup-server.js';
import { adoptPlatformPosition } from './new-pad-position.js';

/**
 * A pad whose configuration file does not exist yet (first start of a packaged pad), or one
 * started with `--setup`: the setup screen first; once the platform accepted the identity and the
 * file is written, the pad itself starts with it in this same process and the screen moves on.
 */
export function wantsSetup(args: string[], configFile: string | undefined): boolean {
  return (
    args.includes('--setup') ||
    process.env.HCP_SETUP === '1' ||
    (configFile !== undefined && !existsSync(resolve(configFile)))
  );
}

export async function runSetupThenPad(opts: {
  configFile: string | undefined;
  overrides: Record<string, unknown>;
  print: (line: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  // Where the pad keeps its data decides where a new configuration goes when none is named.
  const env = { ...process.env };
  delete env.HCP_CONFIG;
  const base = loadConfig({ env, overrides: opts.overrides });
  const dataDir = resolve(base.dataDir);
  const configFile = resolve(opts.configFile ?? join(dataDir, 'config.json'));
  let stopPad: (() => Promise<void>) | null = null;
  const setup = await startSetupServer({
    rendererDir: RENDERER_DIR,
    configFile,
    auditFile: join(dataDir, 'audit.log'),
    async onSaved() {
      const config = loadConfig({ file: configFile, overrides: opts.overrides });
      opts.print(`hcp-kiosk sequence: ${await adoptPlatformPosition(config)}`);
      const shell = await runBrowserShell(config);
      stopPad = () => shell.stop();
      opts.print(`hcp-kiosk shell ${shell.launchUrl}`);
      opts.print(`hcp-kiosk window-api ${shell.core.windowApiUrl}`);
      opts.print(`hcp-kiosk platform ${shell.core.sync.platformUrl}`);
      // The setup page gets its answer, then the setup server goes away.
      setTimeout(() => void setup.close(), 2000).unref();
      return shell.url;
    },
  });
  opts.print(`hcp-kiosk setup ${setup.url}`);
  opts.print(`配置将写入 / the configuration will be written to ${configFile}`);
  return {
    async stop() {
      await setup.close();
      await stopPad?.();
    },
  };
}
