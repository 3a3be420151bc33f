import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { KioskConfig } from '../config/config.js';
import type { Db } from '../store/db.js';
import type { HallIdentity, Norms, StaffMember, TimingConfig } from '../service/types.js';

export const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../assets');

const normsSchema = z.object({
  version: z.string().min(1),
  items: z.array(z.object({ code: z.string().min(1), starLevel: z.number().int().min(1).max(5), name: z.string().min(1) })),
});
const profileSchema = z.object({
  hallCode: z.string(),
  hallName: z.string(),
  windowNo: z.string(),
  areaCode: z.string(),
  evaluationUrl: z.string(),
  timing: z
    .object({ rateTimeoutS: z.number().int().positive(), reasonsTimeoutS: z.number().int().positive(), appealWorkingDays: z.number().int().positive() })
    .partial()
    .optional(),
});
const tasksSchema = z.object({
  items: z.array(z.object({ taskCode: z.string(), taskName: z.string(), promiseType: z.union([z.literal(1), z.literal(2)]), deptCode: z.string().optional() })),
});
const staffSchema = z.object({
  items: z.array(
    z.object({
      staffId: z.string(),
      name: z.string(),
      title: z.string().default(''),
      windowNos: z.array(z.string()).default([]),
      photoUrl: z.string().nullable().optional(),
      pin: z.string().nullable().optional(),
    }),
  ),
});
const chainsSchema = z.array(z.object({ name: z.string(), taskCodes: z.array(z.string()).min(2) }));

/**
 * The pad's last copies of the platform's reference data (platform-api.md §3), read from the
 * `refdata` table the uploader keeps current. Parsed once per change, so a bad row can't crash a
 * screen: it falls back to the shipped default instead.
 */
export class ReferenceData {
  private cache = new Map<string, { fetchedMs: number; value: unknown }>();
  private readonly shippedNorms: Norms;
  private photoCache = new Map<string, { mtime: number; url: string | null }>();

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly config: KioskConfig,
  ) {
    this.shippedNorms = normsSchema.parse(JSON.parse(readFileSync(join(ASSETS_DIR, 'norms-2020.json'), 'utf8')));
  }

  private read<T>(name: string, schema: z.ZodType<T>): T | null {
    const row = this.db.prepare('SELECT body, fetched_ms AS fetchedMs FROM refdata WHERE name = ?').get(name) as
      | { body: string; fetchedMs: number }
      | undefined;
    if (!row) return null;
    const hit = this.cache.get(name);
    if (hit && hit.fetchedMs === row.fetchedMs) return hit.value as T | null;
    let value: T | null = null;
    try {
      const parsed = schema.safeParse(JSON.parse(row.body));
      value = parsed.success ? parsed.data : null;
    } catch {
      value = null;
    }
    this.cache.set(name, { fetchedMs: row.fetchedMs, value });
    return value;
  }

  norms(): Norms {
    return this.read('norms', normsSchema) ?? this.shippedNorms;
  }

  profile(): (HallIdentity & { evaluationUrl: string }) | null {
    const p = this.read('profile', profileSchema);
    return p ? { hallCode: p.hallCode, hallName: p.hallName, windowNo: p.windowNo, areaCode: p.areaCode, evaluationUrl: p.evaluationUrl } : null;
  }

  timingOverrides(): Partial<TimingConfig> {
    return this.read('profile', profileSchema)?.timing ?? {};
  }

  tasks(): Array<{ taskCode: string; taskName: string; promiseType: 1 | 2 }> {
    return this.read('tasks', tasksSchema)?.items ?? [];
  }

  staff(): StaffMember[] {
    return this.read('staff', staffSchema)?.items ?? [];
  }

  /** Linked-item chains (一链办) are a hall's own arrangement: configured locally, demo set when embedded. */
  chains(): Array<{ name: string; taskCodes: string[] }> {
    const file = join(this.dataDir, 'chains.json');
    const source = existsSync(file) ? file : this.config.platform.baseUrl === 'embedded' ? join(ASSETS_DIR, 'sample-hall.json') : null;
    if (!source) return [];
    try {
      const raw = JSON.parse(readFileSync(source, 'utf8')) as unknown;
      const list = Array.isArray(raw) ? raw : (raw as { chains?: unknown }).chains;
      const parsed = chainsSchema.safeParse(list);
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  /** Staff photos are cached by the uploader under photos/; the screen gets them as data: URLs. */
  photoDataUrl(staffId: string): string | null {
    const safe = staffId.replace(/[^A-Za-z0-9_-]/g, '_');
    for (const ext of ['png', 'jpg', 'svg']) {
      const file = join(this.dataDir, 'photos', `${safe}.${ext}`);
      if (!existsSync(file)) continue;
      const mtime = statSync(file).mtimeMs;
      const hit = this.photoCache.get(file);
      if (hit && hit.mtime === mtime) return hit.url;
      const mime = ext === 'svg' ? 'image/svg+xml' : ext === 'jpg' ? 'image/jpeg' : 'image/png';
      const url = `data:${mime};base64,${readFileSync(file).toString('base64')}`;
      this.photoCache.set(file, { mtime, url });
      return url;
    }
    return null;
  }
}
