import type { EditableSettings, SettingsChange } from '../api/tech-settings.js';
import type { KioskConfig } from '../config/config.js';
import { isDemoDeviceSecret } from '../config/demo-identity.js';
import type { TimingConfig } from '../domain/types.js';

/** The configuration sections the 设置 tab may change. */
export type Section = 'board' | 'printer' | 'windowApi' | 'timing';

/** The settings as they run, for the 设置 tab: secrets only as set / not set. */
export function editableSettings(
  c: KioskConfig,
  o: { configFile: string; windowApiUrl: string; timingInForce: TimingConfig; env: NodeJS.ProcessEnv },
): EditableSettings {
  const p = c.printer;
  return {
    configFile: o.configFile,
    board:
      c.board.kind === 'serial'
        ? {
            kind: 'serial',
            path: c.board.path,
            baudRate: c.board.baudRate,
            serialNumber: c.board.serialNumber,
          }
        : { kind: c.board.kind },
    printer: {
      kind: p.kind,
      path: p.path ?? null,
      host: p.host ?? null,
      port: p.port ?? null,
      baudRate: p.baudRate ?? null,
      paperWidthMm: p.paperWidthMm,
      qr: p.qr,
      autoPrintUnrated: p.autoPrintUnrated,
    },
    windowApi: {
      host: c.windowApi.host,
      port: c.windowApi.port,
      allow: [...c.windowApi.allow],
      url: o.windowApiUrl,
      token: 'set',
    },
    timing: { ...c.timing },
    timingInForce: { ...o.timingInForce },
    technicianCode: c.technician.code ? 'set' : 'not set',
    deviceSecret: c.platform.deviceSecret && !isDemoDeviceSecret(c.platform.deviceSecret) ? 'set' : 'not set',
    pinnedByEnv: envPaths(o.env).filter((k) => /^(board|printer|windowApi|timing|technician)\b/.test(k)),
  };
}

/**
 * The sections as they would run after `change` (whole sections, ready for the schema) and what
 * goes into the file: only the keys the technician set, so that a default or an environment
 * value is never frozen into the file by accident (a token above all).
 */
export function nextSections(
  c: KioskConfig,
  change: SettingsChange,
): { sections: Partial<Pick<KioskConfig, Section>>; fileChange: Record<Section, unknown> } {
  const sections: Partial<Pick<KioskConfig, Section>> = {};
  const fileChange = {} as Record<Section, unknown>;
  if (change.board) {
    const b = change.board;
    const board: KioskConfig['board'] =
      b.kind === 'serial'
        ? {
            kind: 'serial',
            path: b.path,
            baudRate: b.baudRate ?? (c.board.kind === 'serial' ? c.board.baudRate : 115200),
            // The same board on another port: the pairing stays.
            serialNumber: c.board.kind === 'serial' ? c.board.serialNumber : null,
          }
        : { kind: b.kind };
    sections.board = board;
    fileChange.board = board;
  }
  if (change.printer) {
    const p = change.printer;
    const keep = p.kind === c.printer.kind ? c.printer : undefined;
    const printer = dropUndefined({
      kind: p.kind,
      path: p.path ?? keep?.path,
      host: p.host ?? keep?.host,
      port: p.port ?? keep?.port,
      baudRate: p.baudRate ?? keep?.baudRate,
      paperWidthMm: p.paperWidthMm ?? c.printer.paperWidthMm,
      qr: p.qr ?? c.printer.qr,
      autoPrintUnrated: p.autoPrintUnrated ?? c.printer.autoPrintUnrated,
    }) as KioskConfig['printer'];
    sections.printer = printer;
    fileChange.printer = printer;
  }
  if (change.windowApi) {
    sections.windowApi = { ...c.windowApi, ...dropUndefined(change.windowApi) };
    fileChange.windowApi = differing(c.windowApi, change.windowApi);
  }
  if (change.timing) {
    sections.timing = { ...c.timing, ...dropUndefined(change.timing) };
    fileChange.timing = differing(c.timing, change.timing);
  }
  return { sections, fileChange };
}

/** Of `keys`, those an environment variable (HCP__a__b) sets at every start. */
export function pinnedKeys(keys: string[], env: NodeJS.ProcessEnv): string[] {
  const pinned = envPaths(env);
  return keys.filter((k) => pinned.some((p) => k === p || k.startsWith(p + '.') || p.startsWith(k + '.')));
}

function envPaths(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((n) => n.startsWith('HCP__') && env[n] !== undefined)
    .map((n) => n.slice(5).split('__').join('.'));
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function differing(
  current: Record<string, unknown>,
  change: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(change).filter(
      ([k, v]) => v !== undefined && JSON.stringify(current[k]) !== JSON.stringify(v),
    ),
  );
}
