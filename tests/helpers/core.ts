import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { KioskCore } from '../../src/host/core.js';
import { tempDir } from './tmp.js';

export const SAMPLE_HALL = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../assets/sample-hall.json'), 'utf8'),
) as {
  staff: Array<{ staffId: string; name: string; title: string; windowNos: string[]; pin: string }>;
  tasks: Array<{ taskCode: string; taskName: string; promiseType: 1 | 2 }>;
};

export const TOKEN = 'test-window-api-token-0123456789';

/** The test pad's configuration on `dataDir` (a restart test starts a second core on the same). */
export function testCoreConfig(dataDir: string, overrides: Record<string, unknown> = {}) {
  return loadConfig({
    env: {},
    overrides: {
      dataDir,
      'windowApi.port': 0,
      'windowApi.token': TOKEN,
      board: { kind: 'none' },
      'printer.kind': 'none',
      'platform.baseUrl': 'http://127.0.0.1:9',
      'platform.deviceSecret': Buffer.alloc(32, 7).toString('base64'),
      'platform.deviceId': 'PAD-TEST-12',
      'technician.code': '482913',
      ...overrides,
    },
  });
}

/**
 * A real core on a temp data dir: window API on a random port, no board, no printer, and a
 * platform address nobody answers (the outbox just queues).
 */
export async function startTestCore(
  overrides: Record<string, unknown> = {},
  opts: { clock?: { now(): number } } = {},
) {
  const tmp = tempDir();
  const config = testCoreConfig(tmp.dir, overrides);
  process.env.HCP_QUIET = '1';
  const core = await KioskCore.start(config, opts.clock ? { clock: opts.clock } : {});
  return {
    core,
    dir: tmp.dir,
    async stop() {
      await core.stop();
      tmp.cleanup();
    },
  };
}

/** Puts a staff member on duty without the PIN round trip (the PIN path has its own tests). */
export function putOnDuty(core: KioskCore, staffId = 'T0107', state: 'on_duty' | 'paused' = 'on_duty'): void {
  const roster = SAMPLE_HALL.staff.map(({ pin: _pin, ...s }) => s);
  core.db
    .prepare(`INSERT OR REPLACE INTO refdata (name, etag, body, fetched_ms) VALUES ('staff', NULL, ?, ?)`)
    .run(JSON.stringify({ items: roster }), Date.now());
  core.db
    .prepare(`INSERT OR REPLACE INTO window_state (id, state, staff_id, changed_ms) VALUES (1, ?, ?, ?)`)
    .run(state, staffId, Date.now());
}

export async function api(core: KioskCore, method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await fetch(core.windowApiUrl + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
