import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEMO_DEVICE_ID, DEMO_TECHNICIAN_CODE } from './demo-identity.js';
import { provisioningProblems } from './provisioning.js';
import { updatesConfigSchema } from './updates.js';
import { citizenConfigSchema } from './citizen.js';
import { printerSettingsSchema } from '../hardware/printer/settings.js';

/**
 * The pad's one configuration: a JSON file (optional) overlaid by environment variables, validated
 * as a whole. Every key has a default that runs the pad out of the box with a simulated board, a
 * virtual printer and the embedded platform simulator.
 */
export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('.data'),
    hall: z
      .object({
        windowNo: z.string().min(1).max(8).default('12'),
        /** Used until the platform's device profile has been fetched. */
        hallName: z.string().default('政务服务中心'),
        hallCode: z.string().default(''),
        areaCode: z.string().default(''),
      })
      .strict()
      .prefault({}),
    platform: z
      .object({
        /** `embedded` starts the bundled platform simulator in-process (development and demos). */
        baseUrl: z.union([z.literal('embedded'), z.url()]).default('embedded'),
        deviceId: z.string().min(1).max(64).default(DEMO_DEVICE_ID),
        /** base64 of 32 bytes; `demo` uses the simulator's fixed demo secret. */
        deviceSecret: z.string().min(1).default('demo'),
        signature: z.enum(['hmac-sha256', 'hmac-sm3']).default('hmac-sha256'),
        requestTimeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
        batchIntervalMs: z.number().int().min(100).max(3_600_000).default(10_000),
        refdataRefreshMin: z.number().int().min(1).max(1440).default(30),
        heartbeatIntervalS: z.number().int().min(5).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    board: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('simulated') }).strict(),
        z
          .object({
            kind: z.literal('serial'),
            path: z.string().min(1).nullable().default(null),
            /** The serial number the board's INFO must report; learnt at first pairing when null. */
            serialNumber: z.string().min(1).max(64).nullable().default(null),
            baudRate: z.union([z.literal(115200), z.literal(9600)]).default(115200),
          })
          .strict(),
        z.object({ kind: z.literal('none') }).strict(),
      ])
      .default({ kind: 'simulated' }),
    printer: printerSettingsSchema,
    windowApi: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8710),
        /** Bearer token the window's business system presents; `generate` makes one per data dir. */
        token: z.string().min(16).or(z.literal('generate')).default('generate'),
        /** Per token, sliding one-second window, counted after authentication. */
        rateLimitPerS: z.number().int().min(1).max(1000).default(10),
        /** All requests together, authenticated or not. */
        globalRateLimitPerS: z.number().int().min(1).max(10_000).default(100),
        /** Client addresses or CIDR ranges; required (and enforced) when bound beyond loopback. */
        allow: z.array(z.string().min(2).max(64)).max(64).default([]),
        /** `auto`: TLS whenever bound beyond loopback; `always`: on loopback too. */
        tls: z.enum(['auto', 'always']).default('auto'),
        maxConnections: z.number().int().min(1).max(1024).default(32),
        headersTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
        requestTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
      })
      .strict()
      .prefault({}),
    shell: z
      .object({
        host: z.literal('127.0.0.1').default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(0),
        /** Full-screen kiosk, close vetoed. Unset: on once provisioned for a real platform (`kioskMode`). */
        kiosk: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
    timing: z
      .object({
        rateTimeoutS: z.number().int().min(5).max(600).default(60),
        reasonsTimeoutS: z.number().int().min(5).max(600).default(60),
        optionalExtrasTimeoutS: z.number().int().min(2).max(60).default(10),
        thanksS: z.number().min(0.5).max(30).default(3),
        appealWorkingDays: z.number().int().min(1).max(30).default(3),
      })
      .strict()
      .prefault({}),
    /** The citizen side: voice prompts, attract screen, quick phrases (docs/ux.md). */
    citizen: citizenConfigSchema.prefault({}),
    technician: z
      .object({
        // An environment value of digits arrives as a JSON number: the code is text either way.
        code: z
          .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().regex(/^\d{4,12}$/))
          .default(DEMO_TECHNICIAN_CODE),
        /** The technician screens lock after this long untouched. */
        idleLockS: z.number().int().min(15).max(3600).default(120),
      })
      .strict()
      .prefault({}),
    staffPanel: z
      .object({
        /** The staff panel locks after this long untouched (docs/protocols/rules.md: a minute). */
        lockAfterS: z.number().int().min(5).max(600).default(60),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({ keepDeliveredDays: z.number().int().min(1).max(3650).default(365) })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        maxBytes: z.number().int().min(65536).default(5_000_000),
      })
      .strict()
      .prefault({}),
    /** New versions from a hall or city file server (updates.ts). */
    updates: updatesConfigSchema.prefault({}),
  })
  .strict();

export type KioskConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Environment overrides: `HCP_CONFIG` names the file; `HCP__a__b=value` sets key a.b (value read as
 * JSON when it parses, else as a string), e.g. `HCP__windowApi__port=8711`, `HCP__board='{"kind":"serial","path":"/dev/ttyACM0"}'`.
 */
export function loadConfig(
  opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): KioskConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HCP_CONFIG ?? implicitConfigFile(env, opts.overrides);
  let raw: Record<string, unknown> = {};
  if (file) {
    const path = resolve(file);
    if (!existsSync(path)) throw new ConfigError(`配置文件不存在 / config file not found: ${path}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(
        `配置文件无法读取 / config file ${path} cannot be read (${code}): ` +
          `set HCP_CONFIG (or --config) to a readable JSON file, or fix its permissions.`,
      );
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(
        `配置文件不是有效的 JSON / config file ${path} is not valid JSON: ${(err as Error).message}`,
      );
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`config file ${path} must hold a JSON object`);
    }
  }
  // Environment values are strings: each is read as JSON when it parses (numbers, booleans,
  // objects), and put back as the string it was where the schema wants one there.
  const fromEnv: Array<{ path: string[]; text: string; parsed: unknown }> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('HCP__') || value === undefined) continue;
    const path = name.slice(5).split('__');
    const parsed = parseEnvValue(value);
    setPath(raw, path, parsed);
    fromEnv.push({ path, text: value, parsed });
  }
  if (opts.overrides) for (const [k, v] of Object.entries(opts.overrides)) setPath(raw, k.split('.'), v);
  const parsed = parseCoercingEnv(raw, fromEnv);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(
      `配置有误 / invalid configuration${file ? ` in ${file}` : ''}:\n${lines.join('\n')}`,
    );
  }
  const problems = provisioningProblems(parsed.data);
  if (problems.length > 0)
    throw new ConfigError(
      `配置不安全 / unsafe configuration${file ? ` in ${file}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return parsed.data;
}

/**
 * Validates; where an issue sits at (or under) a value an environment variable set as something
 * other than a string, retries with that variable's text as a string. `HCP__technician__code=482913`
 * is then the string '482913' the schema expects, while `HCP__windowApi__port=8711` stays a number.
 */
function parseCoercingEnv(
  raw: Record<string, unknown>,
  fromEnv: Array<{ path: string[]; text: string; parsed: unknown }>,
): ReturnType<typeof configSchema.safeParse> {
  let result = configSchema.safeParse(raw);
  const pending = fromEnv.filter((e) => typeof e.parsed !== 'string');
  while (!result.success && pending.length > 0) {
    const issues = result.error.issues;
    const idx = pending.findIndex((e) =>
      issues.some((i) => {
        const at = i.path.map(String);
        const n = Math.min(at.length, e.path.length);
        return (
          at.slice(0, n).join('\u0000') === e.path.slice(0, n).join('\u0000') && at.length >= e.path.length
        );
      }),
    );
    if (idx < 0) break;
    const [entry] = pending.splice(idx, 1);
    if (!entry) break;
    setPath(raw, entry.path, entry.text);
    result = configSchema.safeParse(raw);
  }
  return result;
}

/** Where the pad keeps the configuration it writes itself when no file is named (decision 158). */
export function defaultConfigFile(dataDir: string): string {
  return join(resolve(dataDir), 'config.json');
}

/**
 * With no file named, the pad's own `<dataDir>/config.json` (written by the setup screen or the
 * technician's 设置 tab) is read when it exists, so a change made on the pad survives a restart.
 */
function implicitConfigFile(
  env: NodeJS.ProcessEnv,
  overrides: Record<string, unknown> | undefined,
): string | undefined {
  const fromEnv = env.HCP__dataDir;
  const dataDir = overrides?.dataDir ?? fromEnv ?? '.data';
  if (typeof dataDir !== 'string' || dataDir === '') return undefined;
  const file = defaultConfigFile(dataDir);
  return existsSync(file) ? file : undefined;
}

function parseEnvValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}
