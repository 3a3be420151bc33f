/**
 * The technician's settings commands (the 设置 tab): what they read and what a change may carry.
 * No Node imports: the renderer imports this file too. A change is checked here (shape), then
 * against the whole configuration schema on the pad before anything is written.
 */
import { z } from 'zod';

const hostSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:-]+$/, '地址只能是 IP 或主机名 / an IP address or host name');

const timingSchema = z
  .object({
    rateTimeoutS: z.number().int().min(5).max(600),
    reasonsTimeoutS: z.number().int().min(5).max(600),
    optionalExtrasTimeoutS: z.number().int().min(2).max(60),
    thanksS: z.number().min(0.5).max(30),
    appealWorkingDays: z.number().int().min(1).max(30),
  })
  .partial()
  .strict();

/** One change: any of the four sections; the board and printer sections name their kind. */
export const settingsChangeSchema = z
  .object({
    board: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('simulated') }).strict(),
        z
          .object({
            kind: z.literal('serial'),
            /** null: find the board on any candidate port */
            path: z.string().trim().min(1).max(256).nullable(),
            baudRate: z.union([z.literal(115200), z.literal(9600)]).optional(),
          })
          .strict(),
        z.object({ kind: z.literal('none') }).strict(),
      ])
      .optional(),
    printer: z
      .object({
        kind: z.enum(['virtual', 'serial', 'usb', 'tcp', 'none']),
        path: z.string().trim().min(1).max(256).optional(),
        host: hostSchema.optional(),
        port: z.number().int().min(1).max(65535).optional(),
        baudRate: z.number().int().min(1200).max(921_600).optional(),
        paperWidthMm: z.union([z.literal(58), z.literal(80)]).optional(),
        qr: z.enum(['native', 'raster']).optional(),
        autoPrintUnrated: z.boolean().optional(),
      })
      .strict()
      .optional(),
    windowApi: z
      .object({
        host: hostSchema,
        port: z.number().int().min(0).max(65535),
        allow: z.array(z.string().trim().min(2).max(64)).max(64),
      })
      .partial()
      .strict()
      .optional(),
    timing: timingSchema.optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: '没有要修改的设置 / nothing to change',
  });
export type SettingsChange = z.input<typeof settingsChangeSchema>;

export const technicianCodeChangeSchema = z
  .object({
    current: z.string().min(4).max(32),
    next: z.string().regex(/^\d{6,12}$/, '维护口令为 6–12 位数字 / the code is 6–12 digits'),
  })
  .strict();

/** The four commands, merged into the contract's `commandSchemas`. */
export const techSettingsCommands = {
  techSettings: z.object({}).strict(),
  techApplySettings: settingsChangeSchema,
  techRotateToken: z.object({}).strict(),
  techChangeCode: technicianCodeChangeSchema,
} as const;

export type Secret = 'set' | 'not set';
export type TimingSettings = Required<z.output<typeof timingSchema>>;

/** What the 设置 tab shows: the settings as they run now; secrets only as set / not set. */
export interface EditableSettings {
  /** where a change is written */
  configFile: string;
  board:
    | { kind: 'simulated' }
    | { kind: 'serial'; path: string | null; baudRate: 115200 | 9600; serialNumber: string | null }
    | { kind: 'none' };
  printer: {
    kind: 'virtual' | 'serial' | 'usb' | 'tcp' | 'none';
    path: string | null;
    host: string | null;
    port: number | null;
    baudRate: number | null;
    paperWidthMm: 58 | 80;
    qr: 'native' | 'raster';
    autoPrintUnrated: boolean;
  };
  windowApi: { host: string; port: number; allow: string[]; url: string; token: Secret };
  /** the local values; `timingInForce` is what runs (the platform's device profile may override) */
  timing: TimingSettings;
  timingInForce: TimingSettings;
  technicianCode: Secret;
  deviceSecret: Secret;
  /** settings an environment variable (HCP__…) sets at every start: a change here lasts until the next start */
  pinnedByEnv: string[];
}

export type RestartedService = 'board' | 'printer' | 'windowApi' | 'timers';

export interface ApplySettingsResult {
  /** dotted keys that changed (never a value) */
  changed: string[];
  restarted: RestartedService[];
  /** a restarted board's or printer's state a moment after (`ok`, `absent`, `paper_out` …) */
  devices: { board?: string; printer?: string };
  /** of the changed keys, those an environment variable overrides at the next start */
  pinnedByEnv: string[];
  settings: EditableSettings;
}

export interface TechSettingsResults {
  techSettings: EditableSettings;
  techApplySettings: ApplySettingsResult;
  /** the new token, shown once; the pad keeps it in its data directory (0600) */
  techRotateToken: { token: string; restarted: RestartedService[]; pinnedByEnv: string[] };
  techChangeCode: { ok: true };
}
