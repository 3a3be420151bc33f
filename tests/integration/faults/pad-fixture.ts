import Database from 'better-sqlite3';
import { loadConfig } from '../../../src/config/config.js';
import type { Clock } from '../../../src/domain/clock.js';
import { KioskCore } from '../../../src/host/core.js';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import { putOnDuty, TOKEN } from '../../helpers/core.js';

export const DEVICE_ID = 'PAD-FAULTS-12';
export const SECRET = Buffer.alloc(32, 9).toString('base64');

export async function startSim(): Promise<PlatformSim> {
  return startPlatformSim({ devices: [{ deviceId: DEVICE_ID, secret: SECRET, windowNo: '12' }] });
}

/** A real core on `dir` (kept between starts) talking to `platformUrl`. */
export async function startPad(
  dir: string,
  platformUrl: string,
  opts: { clock?: Clock; overrides?: Record<string, unknown> } = {},
): Promise<KioskCore> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      'windowApi.port': 0,
      'windowApi.token': TOKEN,
      board: { kind: 'none' },
      'printer.kind': 'none',
      'platform.baseUrl': platformUrl,
      'platform.deviceId': DEVICE_ID,
      'platform.deviceSecret': SECRET,
      'technician.code': '482913',
      ...opts.overrides,
    },
  });
  process.env.HCP_QUIET = '1';
  return KioskCore.start(config, opts.clock ? { clock: opts.clock } : {});
}

let caseNo = 0;

/** Starts and rates `n` evaluations (star key on the board path, no reasons step); returns their record ids. */
export async function rate(core: KioskCore, n: number, star: 3 | 4 | 5 = 5): Promise<string[]> {
  putOnDuty(core);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    caseNo += 1;
    const { evaluationId } = await core.startEvaluation(
      {
        cases: [
          {
            projectNo: `370900-2026-${String(100000 + caseNo)}`,
            taskCode: '370900-XK-0001',
            taskName: '个体工商户设立登记',
            promiseType: 1,
          },
        ],
      },
      'staff_panel',
    );
    core.evaluations.press({ source: 'key', key: star });
    ids.push(evaluationId);
  }
  return ids;
}

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pad's sealed records, in deviceSeq order. */
export function padRecords(
  core: KioskCore,
): Array<{ deviceSeq: number; prevHash: string; hash: string; evaluationId: string }> {
  return (
    core.db
      .prepare(
        'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records ORDER BY device_seq',
      )
      .all() as Array<{
      body: string;
    }>
  ).map(
    (r) => JSON.parse(r.body) as { deviceSeq: number; prevHash: string; hash: string; evaluationId: string },
  );
}

export function platformHead(sim: PlatformSim): { seq: number; hash: string } {
  return (
    (sim.db.prepare('SELECT device_seq AS seq, hash FROM chain_heads WHERE device_id = ?').get(DEVICE_ID) as
      { seq: number; hash: string } | undefined) ?? { seq: 0, hash: '0'.repeat(64) }
  );
}

/** The page size of the pad's database (store/db.ts leaves SQLite's default). */
export const PAGE = 4096;

/** Uploads until nothing is pending (a few passes: each sends what one batch holds). */
export async function syncAll(c: KioskCore): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const st = await c.sync.service!.syncNow();
    if (st.pending === 0) return;
  }
}

/**
 * The last page (1-based) of the database file that holds anything (a table, an index, the schema),
 * as `dbstat` sees it: pages after it, if any, are on the free list.
 */
export function lastPageInUse(file: string): number {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare('SELECT max(pageno) AS last FROM dbstat').get() as { last: number }).last;
  } finally {
    d.close();
  }
}

/** The page numbers of the records table's leaf pages: where damage hits rows. */
export function recordLeafPages(file: string): number[] {
  const d = new Database(file, { readonly: true });
  try {
    return (
      d
        .prepare(`SELECT pageno FROM dbstat WHERE name = 'records' AND pagetype = 'leaf' ORDER BY pageno`)
        .all() as Array<{ pageno: number }>
    ).map((r) => r.pageno);
  } finally {
    d.close();
  }
}
