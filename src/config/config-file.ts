import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, configSchema, type KioskConfig } from './config.js';

/**
 * The pad's config file written so that a power cut at any instant leaves the old file or the new
 * one, whole: a temporary file in the same folder (mode 0600: it holds the device secret), fsync,
 * rename over the old one, fsync of the folder so the rename itself is on disk.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    const data = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** Keys whose values never reach a log: the audit names the key and says it changed. */
const SECRET_KEYS = /secret|token|code|pin|password/i;

export interface AuditEntry {
  t: string;
  who: string;
  key: string;
  /** what happened to the key when it is not a plain change (e.g. `rolled back`, `rotated`) */
  note?: string;
  from?: unknown;
  to?: unknown;
}

/** Dotted paths whose values differ between two config objects (leaves only). */
export function changedKeys(before: unknown, after: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  // A section that is new (or gone) is compared leaf by leaf too, so secret keys stay keys only.
  if (isObj(after) && before === undefined) return changedKeys({}, after, prefix);
  if (isObj(before) && after === undefined) return changedKeys(before, {}, prefix);
  if (!isObj(before) || !isObj(after)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix || '(root)'];
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((k) => changedKeys(before[k], after[k], prefix ? `${prefix}.${k}` : k));
}

function valueAt(obj: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

/**
 * The one way the pad changes its own configuration (setup screen, technician screens): merge the
 * change into the file's JSON, validate the whole, write it atomically, and append who changed
 * which key to `dataDir/audit.log` (values of secret keys are never written).
 */
export function saveConfigChange(opts: {
  file: string;
  change: Record<string, unknown>;
  who: string;
  auditFile: string;
  now?: () => Date;
}): { config: KioskConfig; changed: string[] } {
  const before: Record<string, unknown> = existsSync(opts.file)
    ? (JSON.parse(readFileSync(opts.file, 'utf8')) as Record<string, unknown>)
    : {};
  const after = deepMerge(before, opts.change);
  const parsed = configSchema.safeParse(after);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`配置有误，未保存 / invalid configuration, nothing saved: ${lines.join('; ')}`);
  }
  const changed = changedKeys(before, after);
  if (changed.length === 0) return { config: parsed.data, changed };
  writeFileAtomic(opts.file, JSON.stringify(after, null, 2) + '\n');
  const t = (opts.now?.() ?? new Date()).toISOString();
  appendAudit(
    opts.auditFile,
    changed.map((key) => {
      const entry: AuditEntry = { t, who: opts.who, key };
      if (!SECRET_KEYS.test(key)) {
        entry.from = valueAt(before, key);
        entry.to = valueAt(after, key);
      }
      return entry;
    }),
  );
  return { config: parsed.data, changed };
}

/** Appends audit lines (JSON, one per key). A secret key's values are dropped here too. */
export function appendAudit(auditFile: string, entries: AuditEntry[]): void {
  if (entries.length === 0) return;
  const lines = entries.map((e) => {
    const safe: AuditEntry = { ...e };
    if (SECRET_KEYS.test(e.key)) {
      delete safe.from;
      delete safe.to;
    }
    return JSON.stringify(safe);
  });
  mkdirSync(dirname(auditFile), { recursive: true });
  appendFileSync(auditFile, lines.join('\n') + '\n', { mode: 0o600 });
}

/** The file's text now, or null when there is none (what a rollback puts back). */
export function readConfigText(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Puts back a file as `readConfigText` found it: the same text, atomically, or no file. */
export function restoreConfigText(file: string, text: string | null): void {
  if (text === null) {
    if (existsSync(file)) unlinkSync(file);
    return;
  }
  writeFileAtomic(file, text);
}

function deepMerge(base: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) {
    const prev = out[k];
    out[k] =
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      prev !== null &&
      typeof prev === 'object' &&
      !Array.isArray(prev) &&
      // a board or printer of another kind replaces the whole section
      !('kind' in v)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
