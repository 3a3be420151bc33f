import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ApiError } from '../api/contract.js';
import type {
  ApplySettingsResult,
  EditableSettings,
  RestartedService,
  SettingsChange,
} from '../api/tech-settings.js';
import { ConfigError, configSchema, type KioskConfig } from '../config/config.js';
import {
  appendAudit,
  changedKeys,
  readConfigText,
  restoreConfigText,
  saveConfigChange,
  writeFileAtomic,
} from '../config/config-file.js';
import { provisioningProblems, weakTechnicianCode } from '../config/provisioning.js';
import type { Logger, TimingConfig } from '../domain/types.js';
import { parseAllowList } from './address-allow.js';
import type { HardwareBridge } from './hardware.js';
import { explainStartError } from './start-errors.js';
import type { WindowApiService } from './window-api-service.js';
import { editableSettings, nextSections, pinnedKeys, type Section } from './settings-view.js';

export interface ReconfigureDeps {
  /** the live configuration object every part reads; a change replaces its sections in place */
  config: KioskConfig;
  configFile: string;
  auditFile: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  hardware: Pick<HardwareBridge, 'restartBoard' | 'restartPrinter' | 'boardState' | 'printerState'>;
  windowApi: Pick<WindowApiService, 'restart' | 'url' | 'token'>;
  /** the deadline timer of the open evaluation's step */
  deadlines: { schedule(): void };
  timingInForce(): TimingConfig;
  log: Logger;
}

const WHO = 'technician';

/**
 * The technician's 设置 tab: a change is validated against the whole configuration schema, saved
 * atomically with its audit lines, and only the services it touches restart in place — never the
 * pad, never an open evaluation (it lives in the database, not in a driver). One change at a time.
 */
export class Reconfigurer {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: ReconfigureDeps) {}

  settings(): EditableSettings {
    return editableSettings(this.d.config, {
      configFile: this.d.configFile,
      windowApiUrl: this.d.windowApi.url,
      timingInForce: this.d.timingInForce(),
      env: this.d.env,
    });
  }

  apply(change: SettingsChange): Promise<ApplySettingsResult> {
    return this.serial(() => this.applyNow(change));
  }

  /** A new window API token, made on the pad, kept in the data dir (0600), shown once. */
  rotateToken(): Promise<{ token: string; restarted: RestartedService[]; pinnedByEnv: string[] }> {
    return this.serial(async () => {
      const config = this.d.config;
      const tokenFile = join(this.d.dataDir, 'window-api.token');
      const oldTokenText = readConfigText(tokenFile);
      const oldFileText = readConfigText(this.d.configFile);
      const previous = {
        windowApi: { ...config.windowApi, token: this.d.windowApi.token },
        platform: config.platform,
      };
      const token = randomBytes(24).toString('base64url');
      // The config file first: if it cannot be read or written, the token file is still the old
      // one and the pad keeps serving the token the business system knows.
      const fileToken = (JSON.parse(oldFileText ?? '{}') as { windowApi?: { token?: unknown } }).windowApi
        ?.token;
      if (fileToken !== undefined && fileToken !== 'generate') {
        // A literal token in the file would win over the token file at the next start.
        this.save({ windowApi: { token: 'generate' } });
      }
      try {
        writeFileAtomic(tokenFile, token + '\n');
      } catch (err) {
        restoreConfigText(this.d.configFile, oldFileText);
        throw err;
      }
      appendAudit(this.d.auditFile, [
        { t: new Date().toISOString(), who: WHO, key: 'windowApi.token', note: 'rotated' },
      ]);
      config.windowApi = { ...config.windowApi, token: 'generate' };
      try {
        await this.d.windowApi.restart(config, previous);
      } catch (err) {
        restoreConfigText(tokenFile, oldTokenText);
        restoreConfigText(this.d.configFile, oldFileText);
        config.windowApi = previous.windowApi;
        appendAudit(this.d.auditFile, [
          { t: new Date().toISOString(), who: WHO, key: 'windowApi.token', note: 'rolled back' },
        ]);
        throw new ApiError('restart_failed', this.explain(err));
      }
      this.d.log('info', 'window api token rotated');
      return { token, restarted: ['windowApi'], pinnedByEnv: pinnedKeys(['windowApi.token'], this.d.env) };
    });
  }

  /** The new code needs the current one; it is written like any setting, never logged. */
  changeCode(current: string, next: string): Promise<{ ok: true }> {
    return this.serial(async () => {
      const digest = (s: string) => createHash('sha256').update(s).digest();
      if (!timingSafeEqual(digest(current), digest(this.d.config.technician.code)))
        throw new ApiError(
          'wrong_code',
          '当前维护口令不正确 / the current technician code is wrong',
          'current',
        );
      if (weakTechnicianCode(next))
        throw new ApiError(
          'weak_code',
          '新口令过于简单（不能是 000000、123456 或同一数字重复）/ the new code is too simple (not 000000, 123456 or one digit repeated)',
          'next',
        );
      this.save({ technician: { code: next } });
      this.d.config.technician = { ...this.d.config.technician, code: next };
      this.d.log('info', 'technician code changed');
      return { ok: true as const };
    });
  }

  private async applyNow(change: SettingsChange): Promise<ApplySettingsResult> {
    const config = this.d.config;
    const { sections, fileChange } = nextSections(config, change);
    const touched = (Object.keys(sections) as Section[]).filter(
      (k) => changedKeys(config[k], sections[k]).length > 0,
    );
    if (touched.length === 0)
      return { changed: [], restarted: [], devices: {}, pinnedByEnv: [], settings: this.settings() };
    // The whole configuration as it would run, checked before anything is written.
    const candidate = configSchema.safeParse({ ...config, ...sections });
    if (!candidate.success) {
      const issue = candidate.error.issues[0];
      const field = issue?.path.join('.') ?? '(root)';
      throw new ApiError(
        'invalid_setting',
        `设置有误，未保存 / invalid setting, nothing saved: ${field}: ${issue?.message ?? 'invalid'}`,
        field,
      );
    }
    if (touched.includes('windowApi')) {
      try {
        parseAllowList(candidate.data.windowApi.allow);
      } catch (err) {
        throw new ApiError(
          'invalid_setting',
          `设置有误，未保存 / invalid setting, nothing saved: ${(err as Error).message}`,
          'windowApi.allow',
        );
      }
    }
    const unsafe = provisioningProblems(candidate.data).filter((p) => touched.some((k) => p.startsWith(k)));
    if (unsafe.length > 0)
      throw new ApiError(
        'unsafe_setting',
        `设置不安全，未保存 / unsafe setting, nothing saved: ${unsafe.join('; ')}`,
      );

    const oldFileText = readConfigText(this.d.configFile);
    const fileKeys = this.save(Object.fromEntries(touched.map((k) => [k, fileChange[k]])));
    const previous: Partial<KioskConfig> = {};
    for (const k of touched) Object.assign(previous, { [k]: config[k] });
    const previousApi = {
      windowApi: { ...config.windowApi, token: this.d.windowApi.token },
      platform: config.platform,
    };
    for (const k of touched) Object.assign(config, { [k]: candidate.data[k] });

    const restarted: RestartedService[] = [];
    const devices: ApplySettingsResult['devices'] = {};
    // The one restart that can fail on its own (the address is taken): first, so that a failure
    // rolls the whole change back before anything else moved.
    if (touched.includes('windowApi')) {
      try {
        await this.d.windowApi.restart(config, previousApi);
        restarted.push('windowApi');
      } catch (err) {
        restoreConfigText(this.d.configFile, oldFileText);
        Object.assign(config, previous);
        const t = new Date().toISOString();
        appendAudit(
          this.d.auditFile,
          fileKeys.map((key) => ({ t, who: WHO, key, note: 'rolled back' })),
        );
        const text = this.explain(err, candidate.data);
        this.d.log('warn', 'settings rolled back', { error: (err as Error).message });
        throw new ApiError('restart_failed', text, 'windowApi.port');
      }
    }
    if (touched.includes('board')) {
      await this.d.hardware.restartBoard();
      restarted.push('board');
      if (config.board.kind !== 'none') devices.board = await this.settle(() => this.d.hardware.boardState());
    }
    if (touched.includes('printer')) {
      await this.d.hardware.restartPrinter();
      restarted.push('printer');
      if (config.printer.kind !== 'none')
        devices.printer = await this.settle(() => this.d.hardware.printerState());
    }
    if (touched.includes('timing')) {
      // A running step keeps the deadline it was given; the next step takes the new timing.
      this.d.deadlines.schedule();
      restarted.push('timers');
    }
    const changed = fileKeys.length > 0 ? fileKeys : touched;
    this.d.log('info', 'settings applied', { changed, restarted });
    return {
      changed,
      restarted,
      devices,
      pinnedByEnv: pinnedKeys(changed, this.d.env),
      settings: this.settings(),
    };
  }

  /** A restarted device's state once it had a moment to answer (at most 3 s), for the result line. */
  private async settle<S extends string>(state: () => S): Promise<S> {
    const end = Date.now() + 3000;
    while (state() !== 'ok' && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return state();
  }

  private save(change: Record<string, unknown>): string[] {
    try {
      return saveConfigChange({ file: this.d.configFile, auditFile: this.d.auditFile, who: WHO, change })
        .changed;
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError('invalid_setting', err.message);
      const file = this.d.configFile;
      if (err instanceof SyntaxError)
        throw new ApiError(
          'config_unreadable',
          `配置文件不是有效的 JSON，未保存 / the config file ${file} is not valid JSON (${err.message}): fix or remove it; nothing was saved.`,
        );
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ApiError(
        'config_unwritable',
        `配置文件无法写入，未保存 / the config file ${file} cannot be written (${code}): give the pad's service user write access to its folder, or start the pad with --config (HCP_CONFIG) naming a writable file; nothing was saved.`,
      );
    }
  }

  private explain(err: unknown, tried: KioskConfig = this.d.config): string {
    const why = explainStartError(err, tried) ?? (err as Error).message;
    return `${why} 已恢复原设置 / the previous settings are back in force.`;
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
