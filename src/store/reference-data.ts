import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Db } from './db.js';
import { getRefdata, normsSchema, type RefdataName, type RefdataValue } from './refdata.js';
import type { HallIdentity, Norms, StaffMember, TimingConfig } from '../domain/types.js';
import { createCalendar, SHIPPED_CALENDAR_YEARS, type WorkingDayCalendar } from '../domain/calendar.js';
import { calendarStamp, storedCalendarYears } from './calendar.js';

export interface ReferenceDataOptions {
  /** The norms shipped with the pad (assets/norms-2020.json), used until the platform's arrive. */
  shippedNormsFile: string;
  /** Where the 一链办 chains come from when dataDir/chains.json is absent (the demo hall), or null. */
  fallbackChainsFile: string | null;
}

const chainsSchema = z.array(z.object({ name: z.string(), taskCodes: z.array(z.string()).min(2) }));

/**
 * The pad's last copies of the platform's reference data (docs/protocols/platform-api.md §3), read from the
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
    private readonly opts: ReferenceDataOptions,
  ) {
    this.shippedNorms = normsSchema.parse(JSON.parse(readFileSync(opts.shippedNormsFile, 'utf8')));
  }

  /** Parsed once per stored version (fetched_ms changes on every refresh), not on every snapshot. */
  private read<N extends RefdataName>(name: N): RefdataValue<N> | null {
    const stamp = this.db.prepare('SELECT fetched_ms AS fetchedMs FROM refdata WHERE name = ?').get(name) as
      { fetchedMs: number } | undefined;
    if (!stamp) return null;
    const hit = this.cache.get(name);
    if (hit && hit.fetchedMs === stamp.fetchedMs) return hit.value as RefdataValue<N> | null;
    const value = getRefdata(this.db, name)?.value ?? null;
    this.cache.set(name, { fetchedMs: stamp.fetchedMs, value });
    return value;
  }

  private calendarCache: { stamp: string; calendar: WorkingDayCalendar } | null = null;

  /** The platform's calendars first, then the shipped package data (platform-api 1.1 §3). */
  calendar(): WorkingDayCalendar {
    const stamp = calendarStamp(this.db);
    if (this.calendarCache?.stamp !== stamp) {
      const calendar = createCalendar([...SHIPPED_CALENDAR_YEARS, ...storedCalendarYears(this.db)]);
      this.calendarCache = { stamp, calendar };
    }
    return this.calendarCache.calendar;
  }

  norms(): Norms {
    return this.read('norms') ?? this.shippedNorms;
  }

  profile(): (HallIdentity & { evaluationUrl: string }) | null {
    const p = this.read('profile');
    return p
      ? {
          hallCode: p.hallCode,
          hallName: p.hallName,
          windowNo: p.windowNo,
          areaCode: p.areaCode,
          evaluationUrl: p.evaluationUrl,
        }
      : null;
  }

  timingOverrides(): Partial<TimingConfig> {
    return this.read('profile')?.timing ?? {};
  }

  tasks(): Array<{ taskCode: string; taskName: string; promiseType: 1 | 2 }> {
    return this.read('tasks')?.items ?? [];
  }

  staff(): StaffMember[] {
    return this.read('staff')?.items ?? [];
  }

  /** Linked-item chains (一链办) are a hall's own arrangement: configured locally, demo set when embedded. */
  chains(): Array<{ name: string; taskCodes: string[] }> {
    const file = join(this.dataDir, 'chains.json');
    const source = existsSync(file) ? file : this.opts.fallbackChainsFile;
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
