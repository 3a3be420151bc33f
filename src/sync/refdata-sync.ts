import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { Logger } from '../domain/logger.js';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import { getMeta, setMeta, type Db } from '../store/db.js';
import { getCalendarYear, putCalendarYear, touchCalendarYear } from '../store/calendar.js';
import { getRefdata, putRefdata, touchRefdata, type RefdataName } from '../store/refdata.js';
import { cstDate } from '../domain/time.js';
import { errorCodeOf, jsonOf, TransportError, type PlatformClient } from './http.js';

const PHOTO_INDEX_KEY = 'photo_index';
const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
const photoIndexSchema = z.record(
  z.string(),
  z.object({ url: z.string(), etag: z.string().nullable(), file: z.string() }),
);
type PhotoIndex = z.infer<typeof photoIndexSchema>;

type FetchOutcome = 'updated' | 'unchanged' | 'failed' | 'skipped';
export type RefreshResult = Record<RefdataName, FetchOutcome> & { calendar: Record<number, FetchOutcome> };

/** File names under photos/ are derived from staff ids; anything else is replaced (no path tricks). */
export function photoFileBase(staffId: string): string {
  return staffId.replace(/[^A-Za-z0-9_-]/g, '_');
}

function extFor(contentType: string | undefined): 'png' | 'jpg' | 'svg' | null {
  const t = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (t === 'image/png') return 'png';
  if (t === 'image/jpeg') return 'jpg';
  if (t === 'image/svg+xml') return 'svg';
  return null;
}

/**
 * Keeps the reference data of docs/protocols/platform-api.md §3 current with ETag / If-None-Match. Any failure
 * (no answer, bad status, body that doesn't validate) leaves the last copy in place.
 */
export class RefdataSync {
  constructor(
    private readonly deps: {
      db: Db;
      client: PlatformClient;
      clock: Clock;
      deviceId: string;
      dataDir: string;
      log: Logger;
      onRefdata?: (name: string) => void;
    },
  ) {}

  async refreshAll(): Promise<RefreshResult> {
    const id = encodeURIComponent(this.deps.deviceId);
    const out = {} as RefreshResult;
    out.profile = await this.fetchOne('profile', `/v1/devices/${id}/profile`);
    out.norms = await this.fetchOne('norms', '/v1/norms');
    const hallCode = getRefdata(this.deps.db, 'profile')?.value.hallCode;
    if (hallCode === undefined) {
      out.tasks = 'skipped';
      out.staff = 'skipped';
    } else {
      const q = `?hallCode=${encodeURIComponent(hallCode)}`;
      out.tasks = await this.fetchOne('tasks', `/v1/tasks${q}`);
      out.staff = await this.fetchOne('staff', `/v1/staff${q}`);
    }
    out.calendar = await this.refreshCalendars();
    if (out.staff !== 'failed')
      await this.syncPhotos().catch((err: Error) =>
        this.deps.log('info', 'staff photos not refreshed', { error: err.message }),
      );
    return out;
  }

  async fetchOne(name: RefdataName, path: string): Promise<'updated' | 'unchanged' | 'failed'> {
    const { db, client, clock, log } = this.deps;
    const current = getRefdata(db, name);
    const headers: Record<string, string> = {};
    if (current?.etag) headers['If-None-Match'] = current.etag;
    try {
      const res = await client.request('GET', path, undefined, headers);
      if (res.status === 304 && current) {
        touchRefdata(db, name, clock.now());
        return 'unchanged';
      }
      if (res.status !== 200) {
        log('info', 'reference data not refreshed', { name, status: res.status, error: errorCodeOf(res) });
        return 'failed';
      }
      const etagHeader = res.headers.etag;
      const stored = putRefdata(
        db,
        name,
        jsonOf(res),
        typeof etagHeader === 'string' ? etagHeader : null,
        clock.now(),
      );
      if (!stored.ok) {
        log('warn', 'reference data refused: answer does not validate; keeping the last copy', {
          name,
          error: stored.error,
        });
        return 'failed';
      }
      this.deps.onRefdata?.(name);
      return 'updated';
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      log('info', 'reference data not refreshed', { name, error: err.message });
      return 'failed';
    }
  }

  /**
   * The holiday calendars of the current and the next year (platform-api 1.1 §3). A 404 means
   * the year is not published yet (the next year's, most of the year): the last copy, if any,
   * stays, and the shipped data answers for what it covers.
   */
  async refreshCalendars(): Promise<Record<number, FetchOutcome>> {
    const { db, client, clock, log } = this.deps;
    // The platform's calendar is China's: the current year is the CST one.
    const year = Number(cstDate(clock.now()).slice(0, 4));
    const out: Record<number, FetchOutcome> = {};
    for (const y of [year, year + 1]) {
      const current = getCalendarYear(db, y);
      const headers: Record<string, string> = {};
      if (current?.etag) headers['If-None-Match'] = current.etag;
      try {
        const res = await client.request('GET', `/v1/calendar?year=${y}`, undefined, headers);
        if (res.status === 304 && current) {
          touchCalendarYear(db, y, clock.now());
          out[y] = 'unchanged';
          continue;
        }
        if (res.status === 404) {
          out[y] = 'skipped';
          continue;
        }
        if (res.status !== 200) {
          log('info', 'holiday calendar not refreshed', {
            year: y,
            status: res.status,
            error: errorCodeOf(res),
          });
          out[y] = 'failed';
          continue;
        }
        const etag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
        const stored = putCalendarYear(db, y, jsonOf(res), etag, clock.now());
        if (!stored.ok) {
          log('warn', 'holiday calendar refused: answer does not validate; keeping the last copy', {
            year: y,
            error: stored.error,
          });
          out[y] = 'failed';
          continue;
        }
        this.deps.onRefdata?.(`calendar:${y}`);
        out[y] = 'updated';
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        log('info', 'holiday calendar not refreshed', { year: y, error: err.message });
        out[y] = 'failed';
      }
    }
    return out;
  }

  private photoIndex(): PhotoIndex {
    try {
      const parsed = photoIndexSchema.safeParse(JSON.parse(getMeta(this.deps.db, PHOTO_INDEX_KEY) ?? '{}'));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  /** Downloads new or changed staff photos into photos/; removes those of staff no longer listed. */
  async syncPhotos(): Promise<void> {
    const { db, client, dataDir, log } = this.deps;
    const roster = getRefdata(db, 'staff');
    if (!roster) return;
    const dir = join(dataDir, 'photos');
    mkdirSync(dir, { recursive: true });
    const index = this.photoIndex();
    const next: PhotoIndex = {};
    let changed = false;
    for (const s of roster.value.items) {
      if (!s.photoUrl) continue;
      const base = photoFileBase(s.staffId);
      const prev = index[s.staffId];
      const url = client.resolve(s.photoUrl).toString();
      const headers: Record<string, string> = {};
      if (prev && prev.url === url && prev.etag && existsSync(join(dir, prev.file)))
        headers['If-None-Match'] = prev.etag;
      try {
        const res = await client.request('GET', url, undefined, headers);
        if (res.status === 304 && prev) {
          next[s.staffId] = prev;
          continue;
        }
        const ext = extFor(res.headers['content-type']);
        if (res.status !== 200 || !ext || res.body.length === 0 || res.body.length > MAX_PHOTO_BYTES) {
          log('info', 'staff photo not fetched', { staffId: s.staffId, status: res.status });
          if (prev) next[s.staffId] = prev;
          continue;
        }
        const file = `${base}.${ext}`;
        const tmp = join(dir, `.${file}.tmp`);
        writeFileSync(tmp, res.body);
        renameSync(tmp, join(dir, file));
        // Only one image per person: a format change must not leave the old one to be found first.
        for (const other of ['png', 'jpg', 'svg'])
          if (other !== ext) rmSync(join(dir, `${base}.${other}`), { force: true });
        const etag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
        next[s.staffId] = { url, etag, file };
        changed = true;
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (prev) next[s.staffId] = prev;
      }
    }
    const keep = new Set(Object.values(next).map((p) => p.file));
    for (const f of readdirSync(dir)) {
      if (!keep.has(f) && /\.(png|jpg|svg)$/.test(f)) {
        rmSync(join(dir, f), { force: true });
        changed = true;
      }
    }
    setMeta(db, PHOTO_INDEX_KEY, JSON.stringify(next));
    if (changed) this.deps.onRefdata?.('photos');
  }
}
