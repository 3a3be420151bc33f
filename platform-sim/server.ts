import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { canonicalJson, GENESIS_HASH } from '../src/domain/canonical.js';
import type { Clock } from '../src/domain/clock.js';
import { HEADER, verifySignature } from '../src/sync/signing.js';
import { drawFault, NO_FAULTS, type SimFaults } from './faults.js';
import { staffPhotoSvg } from './photos.js';
import { hashPin, verifyPin } from './pin-phc.js';
import type { SimDb } from './store.js';
import { validateRecord } from './validate.js';
import { defaultSimCalendarYears, SimCalendar } from './calendar.js';
import { caseVisits } from './cases.js';

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

export interface SimLimits {
  maxRecords: number;
  maxBytes: number;
  skewMs: number;
  nonceWindowMs: number;
  appealWorkingDays: number;
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

type Answer = { status: number; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const TIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function etagOf(text: string | Buffer): string {
  return `"${createHash('sha256').update(text).digest('hex').slice(0, 24)}"`;
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
  private nonceInserts = 0;
  private counters = SimServer.emptyCounters();

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

  private static emptyCounters() {
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

  private readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > limit) {
        resolve(null);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          resolve(null);
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
      req.on('error', reject);
    });
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
    const body = await this.readBody(req, isBatch ? this.limits.maxBytes : 256 * 1024);
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
      const deviceId = this.authenticate(req, method, body);
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

  private authenticate(req: http.IncomingMessage, method: string, body: Buffer): string {
    const h = (n: string) => {
      const v = req.headers[n];
      return typeof v === 'string' ? v : undefined;
    };
    const deviceId = h(HEADER.device);
    const time = h(HEADER.time);
    const nonce = h(HEADER.nonce);
    const sig = h(HEADER.signature);
    const bad = () => {
      this.counters.auth.badSignature += 1;
      return new HttpError(401, 'bad_signature');
    };
    if (!deviceId || !time || !nonce || !sig || !/^\d{1,16}$/.test(time) || !/^[0-9a-f]{32}$/.test(nonce))
      throw bad();
    const dev = this.stmt('SELECT secret, enabled FROM devices WHERE device_id = ?').get(deviceId) as
      { secret: string; enabled: number } | undefined;
    if (!dev) throw bad();
    if (!verifySignature(sig, Buffer.from(dev.secret, 'base64'), method, req.url ?? '/', time, nonce, body))
      throw bad();
    const now = this.clock.now();
    if (Math.abs(now - Number(time)) > this.limits.skewMs) {
      this.counters.auth.clockSkew += 1;
      throw new HttpError(401, 'clock_skew');
    }
    if (dev.enabled !== 1) {
      this.counters.auth.disabled += 1;
      throw new HttpError(403, 'device_disabled');
    }
    if (++this.nonceInserts % 500 === 0)
      this.stmt('DELETE FROM nonces WHERE seen_ms < ?').run(now - this.limits.nonceWindowMs);
    const seen = this.stmt('SELECT seen_ms AS seenMs FROM nonces WHERE device_id = ? AND nonce = ?').get(
      deviceId,
      nonce,
    ) as { seenMs: number } | undefined;
    if (seen && seen.seenMs >= now - this.limits.nonceWindowMs) {
      this.counters.auth.replay += 1;
      throw new HttpError(401, 'replay');
    }
    this.db
      .prepare(
        'INSERT INTO nonces (device_id, nonce, seen_ms) VALUES (?, ?, ?) ON CONFLICT(device_id, nonce) DO UPDATE SET seen_ms = excluded.seen_ms',
      )
      .run(deviceId, nonce, now);
    return deviceId;
  }

  private route(method: string, url: URL, deviceId: string, body: Buffer, req: http.IncomingMessage): Answer {
    const p = url.pathname;
    if (method === 'POST' && p === '/v1/evaluations:batch') return this.batch(deviceId, body);
    if (method === 'POST' && p === '/v1/appeals') return this.appeal(deviceId, body);
    const dev = /^\/v1\/devices\/([^/]+)\/(profile|heartbeat)$/.exec(p);
    if (dev) {
      if (decodeURIComponent(dev[1] ?? '') !== deviceId) throw new HttpError(403, 'forbidden');
      if (method === 'GET' && dev[2] === 'profile') return this.profileAnswer(req, deviceId);
      if (method === 'POST' && dev[2] === 'heartbeat') return this.heartbeat(deviceId, body);
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

  // ---- uploads -------------------------------------------------------------------------------

  private batch(deviceId: string, body: Buffer): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'not_json');
    }
    const b = parsed as { batchId?: unknown; records?: unknown };
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, 'not_a_batch');
    if (typeof b.batchId !== 'string' || b.batchId.length < 1 || b.batchId.length > 64)
      throw new HttpError(400, 'batchId');
    if (!Array.isArray(b.records) || b.records.length === 0) throw new HttpError(400, 'records');
    if (b.records.length > this.limits.maxRecords) throw new HttpError(413, 'too_many_records');
    for (const r of b.records) {
      if (
        typeof r !== 'object' ||
        r === null ||
        Array.isArray(r) ||
        typeof (r as { evaluationId?: unknown }).evaluationId !== 'string'
      ) {
        throw new HttpError(400, 'record_not_an_object');
      }
    }
    const records = b.records as Array<Record<string, unknown>>;
    const batchId = b.batchId;
    const now = this.clock.now();
    const results = this.db.transaction(() => {
      const prior = this.stmt('SELECT device_id AS deviceId, results FROM batches WHERE batch_id = ?').get(
        batchId,
      ) as { deviceId: string; results: string } | undefined;
      if (prior) {
        if (prior.deviceId !== deviceId) throw new HttpError(400, 'batch_id_in_use');
        this.counters.batchReplays += 1;
        return JSON.parse(prior.results) as unknown[];
      }
      this.counters.batches += 1;
      const out = records.map((r) => this.oneRecord(deviceId, batchId, r, now));
      this.stmt('INSERT INTO batches (batch_id, device_id, results, received_ms) VALUES (?, ?, ?, ?)').run(
        batchId,
        deviceId,
        JSON.stringify(out),
        now,
      );
      return out;
    })();
    return { status: 200, body: { results, serverTime: now } };
  }

  private oneRecord(deviceId: string, batchId: string, r: Record<string, unknown>, now: number) {
    const evaluationId = r.evaluationId as string;
    const reject = (code: string, message: string) => {
      this.counters.records.rejected += 1;
      this.db
        .prepare(
          'INSERT INTO rejections (evaluation_id, device_id, batch_id, code, message, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(evaluationId, deviceId, batchId, code, message, now);
      return { evaluationId, status: 'rejected', code, message };
    };
    const problem = validateRecord(r);
    if (problem) {
      this.noteChain(deviceId, r, now);
      return reject('invalid_field', problem);
    }
    const content = canonicalJson(r);
    const existing = this.stmt('SELECT content FROM evaluations WHERE evaluation_id = ?').get(
      evaluationId,
    ) as { content: string } | undefined;
    if (existing) {
      if (existing.content === content) {
        this.counters.records.duplicate += 1;
        return { evaluationId, status: 'duplicate' };
      }
      return reject('conflict', 'evaluationId: stored before with other content');
    }
    this.noteChain(deviceId, r, now);
    if (r.status === 'rated') {
      const rated = this.db
        .prepare(
          `SELECT 1 FROM evaluations WHERE project_no = ? AND service_number = ? AND status = 'rated' LIMIT 1`,
        )
        .get(r.projectNo, r.serviceNumber);
      if (rated)
        return reject(
          'already_rated',
          '本次服务已存在评价 / a rated record exists for this projectNo and serviceNumber',
        );
    }
    this.db
      .prepare(
        `INSERT INTO evaluations (evaluation_id, device_id, device_seq, project_no, service_number, status, satisfaction, assess_time, content, batch_id, received_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        evaluationId,
        deviceId,
        r.deviceSeq,
        r.projectNo,
        r.serviceNumber,
        r.status,
        (r.satisfaction as number | undefined) ?? null,
        (r.assessTime as string | undefined) ?? null,
        content,
        batchId,
        now,
      );
    this.counters.records.accepted += 1;
    return { evaluationId, status: 'accepted' };
  }

  /** prevHash continuity per device across batches; a break is recorded, never a reason to refuse. */
  private noteChain(deviceId: string, r: Record<string, unknown>, now: number): void {
    if (typeof r.deviceSeq !== 'number' || typeof r.hash !== 'string' || typeof r.prevHash !== 'string')
      return;
    const head = (this.stmt('SELECT device_seq AS seq, hash FROM chain_heads WHERE device_id = ?').get(
      deviceId,
    ) as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    if (r.deviceSeq <= head.seq) return;
    if (r.deviceSeq !== head.seq + 1 || r.prevHash !== head.hash) {
      this.db
        .prepare(
          'INSERT INTO chain_breaks (device_id, device_seq, expected_seq, expected_prev, got_prev, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(deviceId, r.deviceSeq, head.seq + 1, head.hash, r.prevHash, now);
    }
    this.db
      .prepare(
        'INSERT INTO chain_heads (device_id, device_seq, hash) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET device_seq = excluded.device_seq, hash = excluded.hash',
      )
      .run(deviceId, r.deviceSeq, r.hash);
  }

  private heartbeat(deviceId: string, body: Buffer): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'not_json');
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof (parsed as { appVersion?: unknown }).appVersion !== 'string'
    ) {
      throw new HttpError(400, 'not_a_heartbeat');
    }
    const now = this.clock.now();
    this.stmt('INSERT INTO heartbeats (device_id, body, received_ms) VALUES (?, ?, ?)').run(
      deviceId,
      JSON.stringify(parsed),
      now,
    );
    this.counters.heartbeats += 1;
    return { status: 200, body: { serverTime: now } };
  }

  private appeal(deviceId: string, body: Buffer): Answer {
    let a: Record<string, unknown>;
    try {
      a = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'not_json');
    }
    const str = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
    if (
      typeof a !== 'object' ||
      a === null ||
      !str(a.appealId, 64) ||
      !str(a.evaluationId, 64) ||
      !str(a.staffId, 64) ||
      !str(a.reason, 500) ||
      typeof a.submittedTime !== 'string' ||
      !TIME_RE.test(a.submittedTime)
    ) {
      throw new HttpError(400, 'not_an_appeal');
    }
    this.counters.appeals += 1;
    const now = this.clock.now();
    const prior = this.stmt('SELECT status, code FROM appeals WHERE appeal_id = ?').get(a.appealId) as
      { status: string; code: string | null } | undefined;
    if (prior)
      return {
        status: 200,
        body:
          prior.status === 'rejected' ? { status: 'rejected', code: prior.code } : { status: 'duplicate' },
      };
    const answer = this.judgeAppeal(a);
    if (answer.status === 'duplicate') return { status: 200, body: answer };
    this.db
      .prepare(
        `INSERT INTO appeals (appeal_id, evaluation_id, device_id, staff_id, reason, submitted_time, status, code, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.appealId,
        a.evaluationId,
        deviceId,
        a.staffId,
        a.reason,
        a.submittedTime,
        answer.status,
        answer.code ?? null,
        now,
      );
    return { status: 200, body: answer };
  }

  private judgeAppeal(a: Record<string, unknown>): {
    status: 'accepted' | 'duplicate' | 'rejected';
    code?: string;
  } {
    const ev = this.stmt(
      'SELECT status, satisfaction, assess_time AS assessTime FROM evaluations WHERE evaluation_id = ?',
    ).get(a.evaluationId) as
      { status: string; satisfaction: number | null; assessTime: string | null } | undefined;
    if (!ev) return { status: 'rejected', code: 'unknown_evaluation' };
    if (ev.status !== 'rated' || ev.satisfaction === null || ev.satisfaction > 2 || ev.assessTime === null)
      return { status: 'rejected', code: 'not_bad_review' };
    if (
      this.stmt(`SELECT 1 FROM appeals WHERE evaluation_id = ? AND status = 'accepted'`).get(a.evaluationId)
    )
      return { status: 'duplicate' };
    // The rating day does not count; the n-th working day after it is the last day to appeal.
    const deadline = this.calendar.appealDeadline(ev.assessTime.slice(0, 10), this.limits.appealWorkingDays);
    if ((a.submittedTime as string).slice(0, 10) > deadline)
      return { status: 'rejected', code: 'deadline_passed' };
    return { status: 'accepted' };
  }
}
