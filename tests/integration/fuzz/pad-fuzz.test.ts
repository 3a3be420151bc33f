/**
 * The fuzz suite (issue 10, item 2; decision 133): malformed and random input against every door
 * a client has into a running pad — the window API (raw bytes, request lines, paths, headers,
 * bodies, JSON, each route's params from its zod schema) and the browser shell (HTTP, WebSocket
 * frames at the byte level, JSON messages, every API contract command's params from its schema).
 * Each input must get a 4xx answer or a closed connection for that client alone: never a 5xx, an
 * `internal` error, an unanswered request or a dead server. Afterwards the pad still rates a key
 * press end to end. Bounded in count and time; prints both. HCP_FUZZ_SCALE multiplies the counts
 * (0.1 for a quick look), HCP_FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import { writeFileSync, mkdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSchemas, startEvaluationSchema } from '../../../src/api/contract.js';
import { startShellServer } from '../../../src/host/shell-server.js';
import { TOKEN, api, putOnDuty, startTestCore } from '../../helpers/core.js';
import { rawFrame, writeRaw } from '../../helpers/raw-ws.js';
import { nearly } from './zod-arbitrary.js';

const SCALE = Number(process.env.HCP_FUZZ_SCALE ?? '1');
const SEED = process.env.HCP_FUZZ_SEED ? Number(process.env.HCP_FUZZ_SEED) : Date.now() % 2 ** 31;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad;
let shell: Awaited<ReturnType<typeof startShellServer>>;
const shellLog: string[] = [];
const tally = new Map<string, number>();
const count = (area: string, n = 1) => tally.set(area, (tally.get(area) ?? 0) + n);
const started = performance.now();

beforeAll(async () => {
  pad = await startTestCore({
    board: { kind: 'simulated' },
    // The fuzz is one client sending thousands of requests a second: the limits have their own tests.
    'windowApi.rateLimitPerS': 1000,
    'windowApi.globalRateLimitPerS': 10_000,
  });
  putOnDuty(pad.core);
  const rendererDir = join(pad.dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>pad</title>');
  shell = await startShellServer({
    rendererDir,
    port: 0,
    dispatch: pad.core.dispatch,
    subscribe: (l) => pad.core.subscribe(l),
    log: (_level, msg) => shellLog.push(msg),
  });
});

afterAll(async () => {
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const line = `fuzz: ${total} inputs in ${seconds.toFixed(1)} s (seed ${SEED}) — ${[...tally]
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;
  console.log(line);
  mkdirSync('test-results', { recursive: true });
  writeFileSync(
    'test-results/fuzz-report.json',
    JSON.stringify(
      { total, seconds: Number(seconds.toFixed(1)), seed: SEED, areas: Object.fromEntries(tally) },
      null,
      2,
    ),
  );
  await shell?.close();
  await pad?.stop();
});

// ---- transports -----------------------------------------------------------------------------

/** Writes bytes on a fresh TCP connection, half-closes, and resolves with what came back once the server closed. */
function rawExchange(port: number, bytes: Buffer, ms = 5000): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = netConnect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ reply, closed: false });
    }, ms);
    sock.on('data', (d) => (reply += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closed: true });
    });
    sock.write(bytes, () => sock.end());
  });
}

const statusOf = (reply: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
/** Every HTTP status in a (possibly pipelined) reply. */
const statusesOf = (reply: string) => [...reply.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
const port = (url: string) => Number(new URL(url).port);

/** Runs `n` async checks, `width` at a time (one client per check). */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

// ---- arbitraries ----------------------------------------------------------------------------

const METHODS = [
  'GET',
  'POST',
  'DELETE',
  'PUT',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'G\u00c9T',
  'get',
  '',
];
const pathSegment = fc.oneof(
  fc.constantFrom(
    'v1',
    'evaluations',
    'status',
    'receipt',
    'api',
    'index.html',
    '..',
    '.',
    '%',
    '%E0%A4%A',
    '%00',
    '%2e%2e',
    '%ff%fe',
    '~',
    '*',
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => encodeURIComponent(s).replace(/%../, '%')),
);
const path = fc
  .tuple(fc.array(pathSegment, { maxLength: 5 }), fc.option(fc.string({ maxLength: 30 }), { nil: undefined }))
  .map(([segs, q]) => `/${segs.join('/')}${q === undefined ? '' : `?${q.replace(/[\s#]/g, '')}`}`);
const evalPath = fc.oneof(
  path,
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/), fc.boolean(), fc.option(fc.string({ maxLength: 20 })))
    .map(
      ([id, receipt, reason]) =>
        `/v1/evaluations/${id}${receipt ? '/receipt' : ''}${reason === null ? '' : `?reason=${encodeURIComponent(reason)}`}`,
    ),
  fc.constantFrom('/v1/evaluations', '/v1/status', '/v1/evaluations/', '/v1//evaluations', '/V1/STATUS'),
);
const headerName = fc.oneof(
  fc.constantFrom(
    'Content-Type',
    'Content-Length',
    'Transfer-Encoding',
    'Authorization',
    'Host',
    'Connection',
    'Expect',
    'Upgrade',
    'Origin',
  ),
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    `Bearer ${TOKEN}`,
    'Bearer ',
    'application/json',
    'chunked',
    '-1',
    '99999999999',
    '100-continue',
    'websocket',
    'close',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const body = fc.oneof(
  nearly(startEvaluationSchema).map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constantFrom(
    '{"cases":[',
    '{"__proto__":{"admin":true}}',
    '[]',
    'null',
    '"',
    '{"cases":[{"projectNo":"\ud800"}]}',
  ),
);

/** A request as text: sometimes well-formed, sometimes not at all. */
const rawRequest = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        method: fc.constantFrom(...METHODS),
        path: evalPath,
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', ''),
        headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
        auth: fc.boolean(),
        body,
        lengthRight: fc.boolean(),
      })
      .map((r) => {
        const bodyBytes = Buffer.from(r.body, 'utf8');
        const lines = [`${r.method} ${r.path} ${r.version}`, 'Host: 127.0.0.1'];
        if (r.auth) lines.push(`Authorization: Bearer ${TOKEN}`, 'Content-Type: application/json');
        for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
        lines.push(`Content-Length: ${r.lengthRight ? bodyBytes.length : bodyBytes.length + 7}`);
        return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), bodyBytes]);
      }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 400 }).map((b) => Buffer.from(b)) },
);

// ---- the window API -------------------------------------------------------------------------

describe('fuzz: window API', () => {
  it('raw requests (request line, paths, headers, bodies, bytes): a 4xx or a closed connection, never a 5xx', async () => {
    const samples = fc.sample(rawRequest, { numRuns: runs(2500), seed: SEED });
    const bad: string[] = [];
    await pool(samples, 8, async (bytes) => {
      const { reply, closed } = await rawExchange(port(pad.core.windowApiUrl), bytes);
      count('window-api raw');
      const codes = statusesOf(reply);
      if (!closed) bad.push(`no close after ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}`);
      if (codes.some((c) => c >= 500))
        bad.push(`${codes.join(',')} for ${JSON.stringify(bytes.toString('latin1').slice(0, 120))}`);
    });
    expect(bad).toEqual([]);
  });

  it('every route with params from its schema, nearly right: only 2xx/4xx, JSON errors', async () => {
    const routes = fc.oneof(
      nearly(startEvaluationSchema).map((b) => ({
        method: 'POST',
        path: '/v1/evaluations',
        body: JSON.stringify(b),
      })),
      fc
        .tuple(
          fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/), fc.string({ maxLength: 70 })),
          fc.constantFrom('GET', 'DELETE', 'POST'),
        )
        .map(([id, method]) => ({
          method,
          path: `/v1/evaluations/${encodeURIComponent(id)}${method === 'POST' ? '/receipt' : ''}`,
          body: undefined,
        })),
      fc
        .tuple(
          fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
          fc.oneof(fc.constantFrom('wrong_case', 'citizen_left', 'other'), fc.string({ maxLength: 20 })),
        )
        .map(([id, reason]) => ({
          method: 'DELETE',
          path: `/v1/evaluations/${id}?reason=${encodeURIComponent(reason)}`,
          body: undefined,
        })),
      fc.constant({ method: 'GET', path: '/v1/status', body: undefined }),
    );
    await fc.assert(
      fc.asyncProperty(routes, async (r) => {
        count('window-api routes');
        const res = await fetch(pad.core.windowApiUrl + r.path, {
          method: r.method,
          headers: {
            Authorization: `Bearer ${TOKEN}`,
            ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(r.body !== undefined ? { body: r.body } : {}),
        });
        const text = await res.text();
        expect(res.status, `${r.method} ${r.path} ${r.body ?? ''} → ${text}`).toBeLessThan(500);
        if (res.status >= 400) expect(JSON.parse(text)).toHaveProperty('error');
      }),
      { numRuns: runs(3000), seed: SEED, endOnFailure: true },
    );
  });
});

// ---- the shell: HTTP and WebSocket ------------------------------------------------------------

function openWs(): Promise<WebSocket> {
  const ws = new WebSocket(`${shell.origin.replace('http', 'ws')}/api?token=${shell.token}`, {
    origin: shell.origin,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one text message and resolves with the next result (not event) message. */
function ask(ws: WebSocket, text: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${text.slice(0, 200)}`)), 5000);
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(String(d)) as Record<string, unknown>;
      if (m.kind !== 'result') return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(m);
    };
    ws.on('message', onMessage);
    ws.send(text);
  });
}

describe('fuzz: browser shell', () => {
  it('raw HTTP to the shell port (paths, headers, upgrades, bytes): never a 5xx, always closed', async () => {
    const upgrade = fc
      .record({
        path: path,
        token: fc.oneof(fc.constant(shell.token), fc.string({ maxLength: 40 })),
        origin: fc.oneof(fc.constant(shell.origin), fc.string({ maxLength: 30 })),
        key: fc.string({ maxLength: 30 }),
        version: fc.constantFrom('13', '8', '', 'x'),
      })
      .map((u) =>
        Buffer.from(
          `GET ${u.path.startsWith('/api') ? u.path : `/api?token=${encodeURIComponent(u.token)}`} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: ${u.origin.replace(/[\r\n]/g, '')}\r\nSec-WebSocket-Key: ${u.key.replace(/[\r\n]/g, '')}\r\nSec-WebSocket-Version: ${u.version}\r\n\r\n`,
          'utf8',
        ),
      );
    const samples = fc.sample(fc.oneof(rawRequest, upgrade), { numRuns: runs(1500), seed: SEED });
    const bad: string[] = [];
    await pool(samples, 8, async (bytes) => {
      const { reply, closed } = await rawExchange(port(shell.origin), bytes);
      count('shell http raw');
      const code = statusOf(reply);
      if (code >= 500) bad.push(`${code} for ${JSON.stringify(bytes.toString('latin1').slice(0, 120))}`);
      // A valid upgrade stays open until we half-close; anything else must end.
      if (!closed && code !== 101)
        bad.push(`no close after ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}`);
    });
    expect(bad).toEqual([]);
  });

  it('WebSocket frames at the byte level (opcodes, lengths, fragments, invalid UTF-8): only that socket ends', async () => {
    const frame = fc.record({
      opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
      fin: fc.boolean(),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.constantFrom(
          Buffer.from([0xc3, 0x28]),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.alloc(70_000, 0x61),
        ),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      ),
      junkAfter: fc.option(
        fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
        { nil: undefined },
      ),
    });
    const samples = fc.sample(fc.array(frame, { minLength: 1, maxLength: 3 }), {
      numRuns: runs(700),
      seed: SEED,
    });
    await pool(samples, 4, async (frames) => {
      const ws = await openWs();
      ws.on('error', () => undefined);
      ws.on('message', () => undefined);
      for (const f of frames) {
        writeRaw(ws, Buffer.concat([rawFrame(f.opcode, f.payload, f.fin), f.junkAfter ?? Buffer.alloc(0)]));
        count('shell ws frames');
      }
      await new Promise((r) => setTimeout(r, 5));
      ws.terminate();
    });
    // The server is still there for a well-behaved client.
    const ws = await openWs();
    expect(await ask(ws, JSON.stringify({ id: 1, method: 'getSnapshot', params: {} }))).toMatchObject({
      id: 1,
      ok: true,
    });
    ws.close();
  });

  it('JSON messages and every command with params from its schema: an answer each, never `internal`', async () => {
    const names = Object.keys(commandSchemas) as Array<keyof typeof commandSchemas>;
    const command = fc.oneof(
      ...names.map((name) =>
        nearly(commandSchemas[name] as never).map(
          (params) => ({ id: 0, method: name as string, params }) as Record<string, unknown>,
        ),
      ),
    );
    const message = fc.oneof(
      { weight: 6, arbitrary: command.map((m) => JSON.stringify(m)) },
      {
        weight: 1,
        arbitrary: fc
          .record(
            {
              id: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
              method: fc.oneof(
                fc.string({ maxLength: 70 }),
                fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
              ),
              params: fc.jsonValue({ maxDepth: 2 }),
            },
            { requiredKeys: [] },
          )
          .map((m) => JSON.stringify(m)),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
    );
    let ws = await openWs();
    let id = 10;
    const internal: string[] = [];
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        count('shell ws commands');
        if (ws.readyState !== ws.OPEN) ws = await openWs();
        // Give each well-formed request its own id, to read its answer.
        let sent = text;
        try {
          const m = JSON.parse(text) as Record<string, unknown>;
          if (m && typeof m === 'object' && !Array.isArray(m) && m.id === 0)
            sent = JSON.stringify({ ...m, id: ++id });
        } catch {
          // not JSON: sent as it is
        }
        const answer = await ask(ws, sent);
        const err = answer.error as { code?: string; message?: string } | undefined;
        if (err?.code === 'internal') internal.push(`${sent.slice(0, 200)} → ${err.message ?? ''}`);
        expect(internal).toEqual([]);
      }),
      { numRuns: runs(6000), seed: SEED, endOnFailure: true },
    );
    ws.close();
  });
});

// ---- afterwards -------------------------------------------------------------------------------

const recordCount = () => (pad.core.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;

describe('after the fuzz', () => {
  it('the pad still rates a key press end to end (window API start, board key, sealed record)', async () => {
    expect((await api(pad.core, 'GET', '/v1/status')).status).toBe(200);
    // An evaluation the fuzz left open: finished as a citizen or staff would.
    const open = pad.core.evaluations.openEvaluation();
    if (open?.evaluation.state === 'reasons') {
      const done = await pad.core.dispatch(
        'submitReasons',
        { evaluationId: open.evaluation.id, codes: [], comment: '排队时间长' },
        { techUnlocked: false },
      );
      expect(done).toMatchObject({ ok: true });
    } else if (open) pad.core.cancelEvaluation(open.evaluation.id, 'other', 'fuzz-cleanup');
    expect(pad.core.evaluations.openEvaluation()).toBeNull();
    putOnDuty(pad.core);
    const started = await api(pad.core, 'POST', '/v1/evaluations', {
      cases: [{ projectNo: 'FUZZ-AFTER-1', taskCode: 'T', taskName: '事项', promiseType: 1 }],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const evaluationId = started.body.evaluationId as string;
    const before = recordCount();
    while (pad.core.hardware.boardState() !== 'ok') await new Promise((r) => setTimeout(r, 20));
    pad.core.hardware.simulator?.press(5);
    const deadline = Date.now() + 10_000;
    while (pad.core.evaluations.get(evaluationId)?.evaluation.state !== 'rated') {
      if (Date.now() > deadline) throw new Error('the key press did not rate');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(recordCount()).toBeGreaterThan(before);
    expect((await api(pad.core, 'GET', `/v1/evaluations/${evaluationId}`)).body).toMatchObject({
      state: 'done',
    });
    count('end-to-end key press');
  });
});
