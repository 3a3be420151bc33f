import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type KioskConfig } from '../config/config.js';
import type { Logger } from '../domain/logger.js';
import { assetsDir } from './paths.js';
import { RENDERER_DIR, runBrowserShell } from './shell.js';
import { adoptPlatformPosition } from './new-pad-position.js';
import { SetupDevices } from './setup-devices.js';
import { startSetupServer } from './setup-server.js';

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

/**
 * Serial ports to try for the board besides the scan of /dev: the configured `board.path` and,
 * for development and tests, `HCP_SETUP_PORTS` (paths separated by `:` or `,`).
 */
export function setupExtraPorts(base: KioskConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const out = (env.HCP_SETUP_PORTS ?? '')
    .split(/[:,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (base.board.kind === 'serial' && base.board.path) out.unshift(base.board.path);
  return out;
}

/** The board search's wait for a key: 60 s, or `HCP_SETUP_BOARD_TIMEOUT_S` (5–300). */
export function boardTimeoutS(env: NodeJS.ProcessEnv): number {
  const n = Number(env.HCP_SETUP_BOARD_TIMEOUT_S);
  return Number.isInteger(n) && n >= 5 && n <= 300 ? n : 60;
}

/**
 * The setup server for either shell: `startPad` runs the pad on the saved configuration and
 * returns the address its screen moves on to (the browser shell's page, Electron's app://).
 */
export async function startSetup(opts: {
  configFile: string | undefined;
  overrides: Record<string, unknown>;
  rendererDir: string;
  log?: Logger;
  print: (line: string) => void;
  startPad: (config: KioskConfig, configFile: string) => Promise<string>;
}): Promise<{ url: string; configFile: string; close(): Promise<void> }> {
  // Where the pad keeps its data decides where a new configuration goes when none is named.
  const env = { ...process.env };
  delete env.HCP_CONFIG;
  const base = loadConfig({ env, overrides: opts.overrides });
  const dataDir = resolve(base.dataDir);
  const configFile = resolve(opts.configFile ?? join(dataDir, 'config.json'));
  const log: Logger =
    opts.log ??
    ((level, msg, fields) => {
      if (level === 'warn' || level === 'error')
        process.stderr.write(`setup ${level}: ${msg} ${fields ? JSON.stringify(fields) : ''}\n`);
    });
  const devices = new SetupDevices({
    dataDir,
    fontDir: join(assetsDir(), 'receipt'),
    log,
    extraPorts: setupExtraPorts(base),
    boardTimeoutS: boardTimeoutS(process.env),
  });
  const setup = await startSetupServer({
    rendererDir: opts.rendererDir,
    configFile,
    auditFile: join(dataDir, 'audit.log'),
    devices,
    async onSaved() {
      const config = loadConfig({ file: configFile, overrides: opts.overrides });
      opts.print(`hcp-kiosk sequence: ${await adoptPlatformPosition(config)}`);
      const next = await opts.startPad(config, configFile);
      // The setup page gets its answer, then the setup server goes away.
      setTimeout(() => void setup.close(), 2000).unref();
      return next;
    },
  });
  return { url: setup.url, configFile, close: () => setup.close() };
}

export async function runSetupThenPad(opts: {
  configFile: string | undefined;
  overrides: Record<string, unknown>;
  print: (line: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  let stopPad: (() => Promise<void>) | null = null;
  const setup = await startSetup({
    configFile: opts.configFile,
    overrides: opts.overrides,
    rendererDir: RENDERER_DIR,
    print: opts.print,
    async startPad(config, configFile) {
      // Later changes on the technician's settings tab go to the same file the setup wrote.
      const shell = await runBrowserShell(config, { configFile });
      stopPad = () => shell.stop();
      opts.print(`hcp-kiosk shell ${shell.launchUrl}`);
      opts.print(`hcp-kiosk window-api ${shell.core.windowApiUrl}`);
      opts.print(`hcp-kiosk platform ${shell.core.sync.platformUrl}`);
      return shell.url;
    },
  });
  opts.print(`hcp-kiosk setup ${setup.url}`);
  opts.print(`配置将写入 / the configuration will be written to ${setup.configFile}`);
  return {
    async stop() {
      await setup.close();
      await stopPad?.();
    },
  };
}
