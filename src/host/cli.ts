#!/usr/bin/env node
/**
 * The pad's command line: `serve` (core + browser shell; used by `npm start` and the tests),
 * `verify` (walk the hash chain), `doctor` (health; exit 1 when a visit is needed), `token`
 * (where the window API token is kept).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type KioskConfig } from '../config/config.js';
import { DatabaseFromFutureError, openDatabase } from '../store/db.js';
import { verifyChainInParallel } from '../store/verify-parallel.js';
import { formatCst } from '../domain/time.js';
import { gatherHealthFacts } from './doctor.js';
import { assessHealth, formatReport } from './health.js';
import { runBrowserShell } from './shell.js';
import { runSetupThenPad, wantsSetup } from './setup-mode.js';
import QRCode from 'qrcode';
import { makeProvisioningCode } from '../api/setup-contract.js';
import { installProcessGuard } from './process-guard.js';
import { explainStartError, missingDeviceWarnings } from './start-errors.js';
import { runDecommission, runTakeOver } from './handover-cli.js';

const say = (line: string) => void process.stdout.write(`${line}\n`);
const complain = (line: string) => void process.stderr.write(`${line}\n`);

/** The configuration once loaded, so a failure at start can name the setting to change. */
let loadedConfig: KioskConfig | null = null;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  const configFile = flag(rest, '--config');
  const dataDir = flag(rest, '--data-dir');
  if (command === 'provisioning-code') {
    // For the platform's operator: one code per pad, printed as text and as a QR code to scan.
    const url = flag(rest, '--url');
    const device = flag(rest, '--device');
    const secret = flag(rest, '--secret');
    const windowNo = flag(rest, '--window');
    if (!url || !device || !secret) {
      process.stderr.write(
        'usage: provisioning-code --url URL --device ID --secret BASE64 [--window N] [--sm3]\n',
      );
      return 2;
    }
    const code = makeProvisioningCode({
      baseUrl: url,
      deviceId: device,
      deviceSecret: secret,
      ...(windowNo ? { windowNo } : {}),
      signature: rest.includes('--sm3') ? 'hmac-sm3' : 'hmac-sha256',
    });
    process.stdout.write(`${code}\n`);
    if (!rest.includes('--no-qr'))
      process.stdout.write(await QRCode.toString(code, { type: 'terminal', small: true }));
    return 0;
  }
  if (command === 'serve' && wantsSetup(rest, configFile ?? process.env.HCP_CONFIG)) {
    const setup = await runSetupThenPad({
      configFile: configFile ?? process.env.HCP_CONFIG,
      overrides: dataDir ? { dataDir } : {},
      print: (line) => process.stdout.write(`${line}\n`),
    });
    const stop = () => void setup.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return -1;
  }
  let config;
  try {
    config = loadConfig({
      ...(configFile ? { file: configFile } : {}),
      ...(dataDir ? { overrides: { dataDir } } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 2;
    }
    throw err;
  }
  loadedConfig = config;
  if (command === 'verify') {
    const file = join(resolve(config.dataDir), 'kiosk.db');
    if (!existsSync(file)) {
      process.stderr.write(`没有数据库 / no database at ${file}\n`);
      return 2;
    }
    const db = openDatabase(file, { readonly: true });
    const result = await verifyChainInParallel(db, file);
    db.close();
    if (result.ok) {
      process.stdout.write(`哈希链完整 / chain ok: ${result.count} records verified\n`);
      return 0;
    }
    const b = result.firstBroken;
    process.stdout.write(
      `哈希链断裂 / chain broken at deviceSeq ${b.deviceSeq} (record ${b.recordId}): ${b.problem}\n`,
    );
    return 1;
  }
  if (command === 'doctor') {
    const facts = await gatherHealthFacts(config);
    const result = assessHealth(facts);
    if (rest.includes('--json')) process.stdout.write(JSON.stringify({ ...result, facts }, null, 2) + '\n');
    else
      process.stdout.write(
        formatReport(
          `hcp-kiosk doctor — ${config.platform.deviceId}, ${config.dataDir} — ${formatCst(facts.nowMs)}`,
          result,
        ),
      );
    return result.needsVisit ? 1 : 0;
  }
  if (command === 'decommission')
    return runDecommission(config, flag(rest, '--export') ?? null, say, complain);
  if (command === 'take-over') {
    const from = rest.find((a, i) => !a.startsWith('--') && !(rest[i - 1] ?? '').startsWith('--'));
    if (!from) {
      complain('usage: take-over FILE [--config FILE] [--data-dir DIR]');
      return 2;
    }
    return runTakeOver(config, from, say, complain);
  }
  if (command === 'token') {
    // Never printed whole (terminal scroll-back, screenshots, support chats): where it is kept.
    const file = join(resolve(config.dataDir), 'window-api.token');
    const token = existsSync(file) ? readFileSync(file, 'utf8').trim() : config.windowApi.token;
    process.stdout.write(
      existsSync(file)
        ? `窗口接口令牌 / window API token ${maskSecret(token)} in ${file} (0600)\n`
        : `窗口接口令牌由配置 windowApi.token 设定 / set in the configuration: ${maskSecret(token)}\n`,
    );
    return 0;
  }
  if (command === 'serve') {
    for (const warning of missingDeviceWarnings(config)) process.stderr.write(`${warning}\n`);
    // A supervisor that restarts this process hands the same shell token over (in the
    // environment, readable only by this user), so the open screen reconnects after a restart.
    const shellToken = process.env.HCP_SHELL_TOKEN;
    delete process.env.HCP_SHELL_TOKEN;
    const shell = await runBrowserShell(config, {
      ...(shellToken ? { shellToken } : {}),
      ...(configFile ? { configFile } : {}),
    });
    installProcessGuard({ log: (msg, fields) => shell.core.log.write('error', msg, fields) });
    // The stop handlers before the lines that say the pad is up: whoever reads them (a launcher,
    // a supervisor, a test) may stop the pad at once, and a SIGTERM with no handler yet would kill
    // it without a clean stop.
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void shell.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Machine-readable lines first: the launcher and the tests read them.
    // Tokens are never printed whole: the shell's address is a private launch file, and the
    // window API token shows only its first characters (`token` prints it for the technician).
    process.stdout.write(`hcp-kiosk shell ${shell.launchUrl}\n`);
    process.stdout.write(
      `hcp-kiosk window-api ${shell.core.windowApiUrl} token ${maskSecret(shell.core.windowApiToken)}\n`,
    );
    process.stdout.write(`hcp-kiosk platform ${shell.core.sync.platformUrl}\n`);
    return -1; // keep running
  }
  process.stderr.write(
    `unknown command ${command}; use serve | verify | doctor | token | provisioning-code | decommission | take-over\n`,
  );
  return 2;
}

function maskSecret(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length})`;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof DatabaseFromFutureError || err instanceof ConfigError) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    }
    const explained = explainStartError(err, loadedConfig);
    if (explained) {
      process.stderr.write(`启动失败 / start failed: ${explained}\n`);
      process.exit(2);
    }
    process.stderr.write(`启动失败 / start failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
