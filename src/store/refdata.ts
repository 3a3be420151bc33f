import { z } from 'zod';
import type { Db } from './db.js';
import { PHC_RE } from '../domain/pin.js';

/**
 * The pad's last copies of the platform's reference data (docs/protocols/platform-api.md §3), one row per name
 * in `refdata`. Everything is validated on the way in: an answer that doesn't parse is refused
 * and the previous copy stays.
 */

export const profileSchema = z.object({
  hallCode: z.string().min(1).max(64),
  hallName: z.string().min(1).max(200),
  windowNo: z.string().min(1).max(8),
  areaCode: z.string().max(32),
  evaluationUrl: z.url(),
  timing: z
    .object({
      rateTimeoutS: z.number().int().min(5).max(600),
      reasonsTimeoutS: z.number().int().min(5).max(600),
      appealWorkingDays: z.number().int().min(1).max(30),
    })
    .partial()
    .optional(),
  /** 1.1: the highest deviceSeq the platform accepted from this device id, and that record's hash */
  lastDeviceSeq: z.number().int().min(0).optional(),
  lastHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export const normsSchema = z.object({
  version: z.string().min(1).max(64),
  items: z
    .array(
      z.object({
        code: z.string().regex(/^\d{1,8}$/),
        starLevel: z.number().int().min(1).max(5),
        name: z.string().min(1).max(200),
      }),
    )
    .min(1)
    .max(1000),
});

export const tasksSchema = z.object({
  items: z
    .array(
      z.object({
        taskCode: z.string().min(1).max(50),
        taskName: z.string().min(1).max(200),
        promiseType: z.union([z.literal(1), z.literal(2)]),
        deptCode: z.string().max(32).optional(),
      }),
    )
    .max(20_000),
});

export const staffSchema = z.object({
  items: z
    .array(
      z.object({
        staffId: z.string().min(1).max(32),
        name: z.string().min(1).max(64),
        title: z.string().max(100).default(''),
        windowNos: z.array(z.string().max(8)).max(100).default([]),
        photoUrl: z.string().max(2000).nullable().optional(),
        pin: z.string().regex(PHC_RE, 'pin must be a $scrypt$ PHC string').nullable().optional(),
        /** SHA-256 hex of the secret on the member's badge barcode (platform-api.md 1.1 §3) */
        badge: z
          .string()
          .regex(/^[0-9a-f]{64}$/i, 'badge must be SHA-256 hex')
          .transform((v) => v.toLowerCase())
          .nullable()
          .optional(),
      }),
    )
    .max(5000),
});

export const REFDATA_SCHEMAS = {
  profile: profileSchema,
  norms: normsSchema,
  tasks: tasksSchema,
  staff: staffSchema,
} as const;

export type RefdataName = keyof typeof REFDATA_SCHEMAS;
export type RefdataValue<N extends RefdataName> = z.infer<(typeof REFDATA_SCHEMAS)[N]>;
export type DeviceProfile = RefdataValue<'profile'>;
export type NormsList = RefdataValue<'norms'>;
export type TaskCatalog = RefdataValue<'tasks'>;
export type StaffRoster = RefdataValue<'staff'>;
export const REFDATA_NAMES = Object.keys(REFDATA_SCHEMAS) as RefdataName[];

export interface RefdataRow<N extends RefdataName> {
  value: RefdataValue<N>;
  etag: string | null;
  fetchedMs: number;
}

/** The stored copy, or null when there is none or it no longer parses (a newer build's schema). */
export function getRefdata<N extends RefdataName>(db: Db, name: N): RefdataRow<N> | null {
  const row = db
    .prepare('SELECT body, etag, fetched_ms AS fetchedMs FROM refdata WHERE name = ?')
    .get(name) as { body: string; etag: string | null; fetchedMs: number } | undefined;
  if (!row) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(row.body);
  } catch {
    return null;
  }
  const parsed = REFDATA_SCHEMAS[name].safeParse(raw);
  if (!parsed.success) return null;
  return { value: parsed.data as RefdataValue<N>, etag: row.etag, fetchedMs: row.fetchedMs };
}

export type PutResult = { ok: true } | { ok: false; error: string };

/** Validates and stores a fresh copy; on failure nothing changes. */
export function putRefdata(
  db: Db,
  name: RefdataName,
  body: unknown,
  etag: string | null,
  nowMs: number,
): PutResult {
  const parsed = REFDATA_SCHEMAS[name].safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      error: `${name}: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}`,
    };
  }
  db.prepare(
    `INSERT INTO refdata (name, etag, body, fetched_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_ms = excluded.fetched_ms`,
  ).run(name, etag, JSON.stringify(parsed.data), nowMs);
  return { ok: true };
}

/** A 304: the copy is current as of now. */
export function touchRefdata(db: Db, name: RefdataName, nowMs: number): void {
  db.prepare('UPDATE refdata SET fetched_ms = ? WHERE name = ?').run(nowMs, name);
}

export function refdataInfo(db: Db): Record<RefdataName, { etag: string | null; fetchedMs: number } | null> {
  const rows = db.prepare('SELECT name, etag, fetched_ms AS fetchedMs FROM refdata').all() as Array<{
    name: string;
    etag: string | null;
    fetchedMs: number;
  }>;
  const out = Object.fromEntries(REFDATA_NAMES.map((n) => [n, null])) as Record<
    RefdataName,
    { etag: string | null; fetchedMs: number } | null
  >;
  for (const r of rows)
    if ((REFDATA_NAMES as string[]).includes(r.name))
      out[r.name as RefdataName] = { etag: r.etag, fetchedMs: r.fetchedMs };
  return out;
}
