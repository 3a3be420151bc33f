import { join, resolve } from 'node:path';
import type { StartEvaluationInput } from '../api/contract.js';
import { defaultConfigFile, type KioskConfig } from '../config/config.js';
import type { CancelReason } from '../domain/record.js';
import type { TimingConfig } from '../domain/types.js';
import type { WindowEvaluationState } from './evaluation-desk.js';
import type { HardwareBridge } from './hardware.js';
import type { KioskLogger } from './log.js';
import type { Receipts } from './receipts.js';
import { Reconfigurer } from './reconfigure.js';
import { WindowApiService } from './window-api-service.js';

/** What the window API and the 设置 tab need of the composition root. */
export interface SettingsCore {
  readonly config: KioskConfig;
  readonly log: KioskLogger;
  readonly receipts: Receipts;
  startEvaluation(input: StartEvaluationInput, origin: 'window_api'): Promise<{ evaluationId: string }>;
  evaluationStateForStaff(id: string): WindowEvaluationState | null;
  cancelEvaluation(id: string, reason: CancelReason, channel: string): void;
  windowStatus(): unknown;
  timing(): TimingConfig;
}

/**
 * The window API as a service that can move in place, and the technician's reconfiguration that
 * moves it (and the board, the printer, the timers). The file a change goes to: the one named at
 * start (`--config`, HCP_CONFIG), else the pad's own `<dataDir>/config.json` (decision 158).
 */
export function wireSettings(
  core: SettingsCore,
  o: {
    dataDir: string;
    hardware: HardwareBridge;
    deadlines: { schedule(): void };
    configFile: string | undefined;
  },
): { windowApi: WindowApiService; settings: Reconfigurer } {
  const windowApi = new WindowApiService({
    dataDir: o.dataDir,
    log: core.log.write,
    core: {
      startEvaluation: async (input) => core.startEvaluation(input, 'window_api'),
      evaluationState: (id) => core.evaluationStateForStaff(id),
      cancelEvaluation: (id, reason, channel) => core.cancelEvaluation(id, reason, channel),
      printReceipt: (id) => core.receipts.printForEvaluation(id),
      status: () => core.windowStatus(),
    },
  });
  const settings = new Reconfigurer({
    config: core.config,
    configFile: resolve(o.configFile ?? process.env.HCP_CONFIG ?? defaultConfigFile(o.dataDir)),
    auditFile: join(o.dataDir, 'audit.log'),
    dataDir: o.dataDir,
    env: process.env,
    hardware: o.hardware,
    windowApi,
    deadlines: o.deadlines,
    timingInForce: () => core.timing(),
    log: core.log.write,
  });
  return { windowApi, settings };
}
