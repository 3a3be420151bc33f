import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GENESIS_HASH } from '../src/domain/canonical.js';
import type { Clock } from '../src/domain/clock.js';
import { drawFault, NO_FAULTS, type SimFaults } from './faults.js';
import { staffPhotoSvg } from './photos.js';
import { hashPin, verifyPin } from './pin-phc.js';
import type { SimDb } from './store.js';
import { SimDeviceReports } from './appeals.js';
import type { SimContext, SimCounters, SimLimits } from './context.js';
import { etagOf, HttpError, readBody, type Answer } from './http-answer.js';
import { SimAuth } from './auth.js';
import { SimUploads } from './uploads.js';
import { defaultSimCalendarYears, SimCalendar } from './calendar.js';
import { caseVisits } from './cases.js';

export type { SimCounters, SimLimits } from './context.js';

export interface SimHall {
  hall: { hallCode: string; hallName: string; areaCode: string; evaluationUrl: string };
  windows: string[];
  tasks: Array<{ taskCode: string; taskName: string; promiseType: 1 | 2; deptCode?: string }>;
  staff: Array<{
    staffId: string;
    name: string;
    title: string;
    windowNos: string[];
    pin?: string;
    /** the text of the member's badge barcode; served only as its SHA-256 (`badge`) */
    badgeSecret?: string;
  }>;
}

export interface ChainBreak {
  deviceId: string;
  deviceSeq: number;
  expectedSeq: number;
  expectedPrev: string;
  gotPrev: string;
}

export interface SimStats {
  requests: number;
  statuses: Record<string, number>;
  batches: number;
  batchReplays: number;
  records: { accepted: number; duplicate: number; rejected: number };
  /** Evaluations stored, from the database. */
  stored: number;
  chainBreaks: ChainBreak[];
  heartbeats: number;
  appeals: number;
  faults: { reset: number; error: number; throttle: number; drop: number; stall: number };
  auth: { badSignature: number; clockSkew: number; replay: number; disabled: number };
}

export class SimServer {
  faults: SimFaults = { ...NO_FAULTS };
  /** The holiday calendars this platform publishes and counts appeal deadlines with (1.1). */
  calendar = new SimCalendar(defaultSimCalendarYears());
  readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<NodeJS.Timeout>();
  private readonly overrides = new Map<string, string>();
  private staffCache: string | null = null;
  private counters = SimServer.emptyCounters();
  private readonly uploads: SimUploads;
  private readonly reports: SimDeviceReports;
  private readonly auth: SimAuth;

  constructor(
    readonly db: SimDb,
    private readonly hall: SimHall,
    private readonly norms: unknown,
    private readonly limits: SimLimits,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        // A malformed percent-escape in the path is the client's mistake, not the server's.
        const status = err instanceof URIError ? 400 : 500;
        if (!res.headersSent)
          this.send(res, {
            status,
            body: { error: status === 400 ? 'bad_request' : 'internal', message: err.message },
          });
        else res.destroy();
      });
    });
    const ctx: SimContext = {
      db,
      stmt: (sql) => this.stmt(sql),
      counters: () => this.counters,
      limits,
      clock,
      calendar: () => this.calendar,
    };
    this.uploads = new SimUploads(ctx);
    this.reports = new SimDeviceReports(ctx);
    this.auth = new SimAuth(ctx);
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  private readonly stmts = new Map<string, Statement<unknown[]>>();
  /** Prepared once per SQL text: preparing per record was most of the simulator's cost. */
  private stmt(sql: string): Statement<unknown[]> {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  static emptyCounters(): SimCounters {
    return {
      requests: 0,
      statuses: {} as Record<string, number>,
      batches: 0,
      batchReplays: 0,
      records: { accepted: 0, duplicate: 0, rejected: 0 },
      heartbeats: 0,
      appeals: 0,
      faults: { reset: 0, error: 0, throttle: 0, drop: 0, stall: 0 },
      auth: { badSignature: 0, clockSkew: 0, replay: 0, disabled: 0 },
    };
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const a = this.server.address() as AddressInfo;
        resolve(`http://${host}:${a.port}`);
      });
    });
  }

  async close(): Promise<void> {
    for (const t of this.stalled) clearTimeout(t);
    this.stalled.clear();
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  setOverride(name: string, raw: string | null): void {
    if (raw === null) this.overrides.delete(name);
    else this.overrides.set(name, raw);
  }

  resetStats(): void {
    this.counters = SimServer.emptyCounters();
  }

  stats(): SimStats {
    const stored = (this.stmt('SELECT COUNT(*) AS n FROM evaluations').get() as { n: number }).n;
    const chainBreaks = this.db
      .prepare(
        'SELECT device_id AS deviceId, device_seq AS deviceSeq, expected_seq AS expectedSeq, expected_prev AS expectedPrev, got_prev AS gotPrev FROM chain_breaks ORDER BY id LIMIT 1000',
      )
      .all() as ChainBreak[];
    return structuredClone({ ...this.counters, stored, chainBreaks });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private send(res: http.ServerResponse, a: Answer): void {
    this.counters.statuses[String(a.status)] = (this.counters.statuses[String(a.status)] ?? 0) + 1;
    const payload = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
    const headers: Record<string, string> = {
      'X-HCP-Server-Time': String(this.clock.now()),
      ...(payload !== '' && a.raw === undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...a.headers,
    };
    res.writeHead(a.status, { ...headers, 'Content-Length': String(Buffer.byteLength(payload)) });
    res.end(payload);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.counters.requests += 1;
    // Always under a fixed host: `//%%86` threw (a 500) and `//x/v1/...` read as another host.
    let url: URL;
    try {
      url = new URL(`http://sim${(req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/'}`);
    } catch {
      this.send(res, { status: 400, body: { error: 'invalid', message: 'malformed request target' } });
      return;
    }
    const method = req.method ?? 'GET';
    const isBatch = method === 'POST' && url.pathname === '/v1/evaluations:batch';
    const body = await readBody(req, isBatch ? this.limits.maxBytes : 256 * 1024);
    if (body === null) {
      this.send(res, { status: 413, body: { error: 'too_large' }, headers: { Connection: 'close' } });
      return;
    }
    if (method === 'GET' && url.pathname === '/v1/health')
      return this.send(res, { status: 200, body: { ok: true } });
    const photo = /^\/v1\/staff\/([^/]+)\/photo$/.exec(url.pathname);
    // Photos are public, as on a CDN: no signature needed.
    if (method === 'GET' && photo) return this.send(res, this.photo(decodeURIComponent(photo[1] ?? ''), req));

    const f = this.faults;
    const faulty = f.scope === 'all' || isBatch;
    const decision = faulty ? drawFault(f, this.random) : 'none';
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    switch (decision) {
      case 'reset':
        this.counters.faults.reset += 1;
        req.socket.destroy();
        return;
      case 'error':
        this.counters.faults.error += 1;
        return this.send(res, { status: 503, body: { error: 'unavailable' } });
      case 'throttle':
        this.counters.faults.throttle += 1;
        return this.send(res, {
          status: 429,
          body: { error: 'too_many_requests' },
          headers: { 'Retry-After': String(f.retryAfterS) },
        });
      case 'stall': {
        this.counters.faults.stall += 1;
        if (f.stallMs > 0) {
          const t = setTimeout(() => {
            this.stalled.delete(t);
            req.socket.destroy();
          }, f.stallMs);
          this.stalled.add(t);
        }
        return;
      }
      default:
        break;
    }

    let answer: Answer;
    try {
      const deviceId = this.auth.authenticate(req, method, body);
      answer = this.route(method, url, deviceId, body, req);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      answer = { status: err.status, body: { error: err.code } };
    }
    if (decision === 'drop') {
      // The work is committed; the answer never arrives. Only dedupe by evaluationId saves the pad.
      this.counters.faults.drop += 1;
      req.socket.destroy();
      return;
    }
    this.send(res, answer);
  }

  private route(method: string, url: URL, deviceId: string, body: Buffer, req: http.IncomingMessage): Answer {
    const p = url.pathname;
    if (method === 'POST' && p === '/v1/evaluations:batch') return this.uploads.batch(deviceId, body);
    if (method === 'POST' && p === '/v1/appeals') return this.reports.appeal(deviceId, body);
    const dev = /^\/v1\/devices\/([^/]+)\/(profile|heartbeat)$/.exec(p);
    if (dev) {
      if (decodeURIComponent(dev[1] ?? '') !== deviceId) throw new HttpError(403, 'forbidden');
      if (method === 'GET' && dev[2] === 'profile') return this.profileAnswer(req, deviceId);
      if (method === 'POST' && dev[2] === 'heartbeat') return this.reports.heartbeat(deviceId, body);
    }
    if (method === 'GET' && p === '/v1/norms') return this.refdata(req, 'norms', () => this.norms);
    const hallCode = url.searchParams.get('hallCode');
    if (method === 'GET' && p === '/v1/tasks') {
      return this.refdata(req, 'tasks', () => ({
        items: hallCode === this.hall.hall.hallCode ? this.hall.tasks : [],
      }));
    }
    if (method === 'GET' && p === '/v1/calendar') {
      const year = Number(url.searchParams.get('year'));
      const published = Number.isInteger(year) ? this.calendar.year(year) : null;
      if (!published) throw new HttpError(404, 'not_published');
      return this.refdata(req, `calendar:${year}`, () => published);
    }
    const kase = /^\/v1\/cases\/([^/]+)$/.exec(p);
    if (method === 'GET' && kase) {
      const projectNo = decodeURIComponent(kase[1] ?? '');
      const visits = caseVisits(this.db, projectNo, hallCode);
      if (!visits) throw new HttpError(404, 'unknown_case');
      return { status: 200, body: { projectNo, visits } };
    }
    if (method === 'GET' && p === '/v1/staff') {
      return this.refdata(req, 'staff', () =>
        hallCode === this.hall.hall.hallCode ? this.staffList() : { items: [] },
      );
    }
    throw new HttpError(404, 'not_found');
  }

  // ---- reference data ------------------------------------------------------------------------

  private refdata(req: http.IncomingMessage, name: string, make: () => unknown): Answer {
    const text = this.overrides.get(name) ?? JSON.stringify(make());
    const etag = etagOf(text);
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { ETag: etag } };
    return {
      status: 200,
      raw: text,
      headers: { ETag: etag, 'Content-Type': 'application/json; charset=utf-8' },
    };
  }

  /**
   * The profile with the device's sequence position (1.1): also when a test or the embedded demo
   * overrides the rest of the profile, the position is the platform's own fact.
   */
  private profileAnswer(req: http.IncomingMessage, deviceId: string): Answer {
    const override = this.overrides.get('profile');
    let base: unknown = this.profile(deviceId);
    if (override !== undefined) {
      try {
        base = JSON.parse(override) as unknown;
      } catch {
        return this.refdata(req, 'profile', () => null);
      }
    }
    if (typeof base !== 'object' || base === null || Array.isArray(base))
      return this.refdata(req, 'profile', () => null);
    const withPosition = { ...this.sequencePosition(deviceId), ...(base as Record<string, unknown>) };
    const text = JSON.stringify(withPosition);
    const etag = etagOf(text);
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { ETag: etag } };
    return {
      status: 200,
      raw: text,
      headers: { ETag: etag, 'Content-Type': 'application/json; charset=utf-8' },
    };
  }

  /** The highest deviceSeq accepted from this device and that record's hash (0 and 64 zeros before the first). */
  sequencePosition(deviceId: string): { lastDeviceSeq: number; lastHash: string } {
    const head = this.stmt('SELECT device_seq AS seq, hash FROM chain_heads WHERE device_id = ?').get(
      deviceId,
    ) as { seq: number; hash: string } | undefined;
    return { lastDeviceSeq: head?.seq ?? 0, lastHash: head?.hash ?? GENESIS_HASH };
  }

  private profile(deviceId: string) {
    const dev = this.stmt(
      'SELECT hall_code AS hallCode, window_no AS windowNo FROM devices WHERE device_id = ?',
    ).get(deviceId) as {
      hallCode: string;
      windowNo: string;
    };
    const h = this.hall.hall;
    return {
      hallCode: dev.hallCode,
      hallName: h.hallName,
      windowNo: dev.windowNo,
      areaCode: h.areaCode,
      evaluationUrl: h.evaluationUrl,
      timing: { rateTimeoutS: 60, reasonsTimeoutS: 60, appealWorkingDays: this.limits.appealWorkingDays },
    };
  }

  /** PINs leave only as scrypt PHC strings, made once and kept (so the ETag stays stable). */
  private staffList(): unknown {
    if (this.staffCache === null) {
      const get = this.stmt('SELECT phc FROM staff_pins WHERE staff_id = ?');
      const put = this.stmt(
        'INSERT INTO staff_pins (staff_id, phc) VALUES (?, ?) ON CONFLICT(staff_id) DO UPDATE SET phc = excluded.phc',
      );
      const items = this.hall.staff.map((s) => {
        let pin: string | undefined;
        if (s.pin) {
          const stored = (get.get(s.staffId) as { phc: string } | undefined)?.phc;
          pin = stored && verifyPin(s.pin, stored) ? stored : hashPin(s.pin);
          if (pin !== stored) put.run(s.staffId, pin);
        }
        return {
          staffId: s.staffId,
          name: s.name,
          title: s.title,
          windowNos: s.windowNos,
          photoUrl: `/v1/staff/${encodeURIComponent(s.staffId)}/photo`,
          ...(pin ? { pin } : {}),
          ...(s.badgeSecret ? { badge: createHash('sha256').update(s.badgeSecret).digest('hex') } : {}),
        };
      });
      this.staffCache = JSON.stringify({ items });
    }
    return JSON.parse(this.staffCache) as unknown;
  }

  private photo(staffId: string, req: http.IncomingMessage): Answer {
    const s = this.hall.staff.find((x) => x.staffId === staffId);
    if (!s) return { status: 404, body: { error: 'not_found' } };
    const svg = this.overrides.get(`photo:${staffId}`) ?? staffPhotoSvg(s.staffId, s.name);
    const etag = etagOf(svg);
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { ETag: etag } };
    return { status: 200, raw: svg, headers: { ETag: etag, 'Content-Type': 'image/svg+xml' } };
  }
}
