/**
 * Where the Electron pad keeps its configuration, and whether it starts on the setup screen
 * (decision 165) — the rule of `wantsSetup` (src/host/setup-mode.ts) for the browser shell. Kept
 * free of Electron imports so a plain test can read every rule.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ElectronSetupPlan {
  /** environment the pad runs with: a packaged pad's config file and data folder when unset */
  env: Record<string, string>;
  /** the setup screen first (no configuration yet, `--setup`, or `HCP_SETUP=1`) */
  setup: boolean;
}

/**
 * A packaged pad without `HCP_CONFIG` (Windows, or started by hand) keeps its configuration in
 * the app's user-data folder, and its data beside it, so a first start finds no file and shows
 * the setup screen. Unpackaged (a developer's desk) the demo runs unless asked for setup, as
 * `npm start` does. The kiosk session on Linux names both (`hcp-kiosk.service`).
 */
export function electronSetupPlan(o: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  packaged: boolean;
  userDataDir: string;
}): ElectronSetupPlan {
  const env: Record<string, string> = {};
  if (o.packaged && !o.env.HCP_CONFIG) env.HCP_CONFIG = join(o.userDataDir, 'config.json');
  if (o.packaged && !o.env.HCP__dataDir) env.HCP__dataDir = join(o.userDataDir, 'data');
  const configFile = env.HCP_CONFIG ?? o.env.HCP_CONFIG;
  const setup =
    o.argv.includes('--setup') ||
    o.env.HCP_SETUP === '1' ||
    (configFile !== undefined && !existsSync(resolve(configFile)));
  return { env, setup };
}
