import { spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { registerRecordFunctions } from '../../src/store/record-codec.js';
import { verifyChain } from '../../src/store/verify.js';
import { openDatabase } from '../../src/store/db.js';

const root = join(import.meta.dirname, '../..');

export interface DurabilityResult {
  kills: number;
  acknowledged: number;
  lost: string[];
  duplicates: number;
  wrongStars: number;
  integrity: string;
  chainOk: boolean;
  started: number;
  elapsedMs: number;
}

/** Bundles the child once so each restart costs ~100 ms, not a TypeScript compile. */
export async function buildChild(): Promise<string> {
  // Inside the project so that the bundle's external packages resolve from node_modules.
  const outfile = join(root, 'dist', 'harness', 'durability-child.mjs');
  await build({
    entryPoints: [join(root, 'tests/harness/durability-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'serialport', '@serialport/*', '@resvg/*', 'bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * SIGKILLs the pad at random moments while the window API starts evaluations and the stand-in
 * citizen rates them; then holds the database to every acknowledgement the pad made.
 */
export async function runDurability(opts: {
  dataDir: string;
  childFile: string;
  kills: number;
  broken?: boolean;
  log?: (s: string) => void;
}): Promise<DurabilityResult> {
  const t0 = Date.now();
  const acked = new Map<string, number>();
  let kills = 0;
  let started = 0;
  let seq = 0;
  const env = {
    ...process.env,
    HCP_QUIET: '1',
    HCP__dataDir: opts.dataDir,
    HCP__windowApi__port: '0',
    HCP__windowApi__rateLimitPerS: '1000',
    HCP__windowApi__token: 'durability-harness-token-0123456789',
    HCP__board: '{"kind":"none"}',
    HCP__printer__kind: 'none',
    HCP__platform__baseUrl: 'http://127.0.0.1:9',
    HCP__platform__deviceSecret: Buffer.alloc(32, 7).toString('base64'),
    HCP__platform__deviceId: 'PAD-DURABILITY-12',
    HCP__technician__code: '482913',
    HCP__platform__refdataRefreshMin: '1440',
    HCP_BROKEN_ACK_BEFORE_COMMIT: opts.broken ? '1' : '0',
  };
  // The window must be staffed: sign-in state lives in the database, set once before the loop.
  const db = openDatabase(join(opts.dataDir, 'kiosk.db'));
  db.prepare(
    `INSERT OR REPLACE INTO window_state (id, state, staff_id, changed_ms) VALUES (1, 'on_duty', 'T0107', 0)`,
  ).run();
  db.close();

  while (kills < opts.kills) {
    const child: ChildProcess = spawn(process.execPath, [opts.childFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const ready = new Promise<{ url: string; token: string } | null>((resolve) => {
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const r = /^READY (\S+) (\S+)$/.exec(line);
          if (r) resolve({ url: r[1] as string, token: r[2] as string });
          const a = /^ACK (\S+) (\d)$/.exec(line);
          if (a) acked.set(a[1] as string, Number(a[2]));
        }
      });
      child.on('exit', () => resolve(null));
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    // A request to a pad that dies under it can be left pending by fetch with no socket and no
    // timer behind it (6 of 160 one-kill runs here): the event loop then empties and Node ends
    // the benchmark with exit code 13 and no message. The pad's exit cancels what is in flight.
    const gone = new AbortController();
    const exited = new Promise<void>((r) =>
      child.on('exit', () => {
        gone.abort();
        r();
      }),
    );
    const api = await ready;
    if (!api) throw new Error(`pad exited before it was ready: ${stderr.slice(-2000)}`);
    const killAt = Date.now() + 20 + Math.random() * 300;
    const timer = setTimeout(() => child.kill('SIGKILL'), killAt - Date.now());
    // Keep starting evaluations until the kill lands.
    while (child.exitCode === null && child.signalCode === null) {
      seq += 1;
      try {
        const res = await fetch(`${api.url}/v1/evaluations`, {
          method: 'POST',
          signal: gone.signal,
          headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            cases: [
              {
                projectNo: `DUR-${process.pid}-${seq}`,
                taskCode: '370900-XK-0001',
                taskName: '个体工商户设立登记',
                promiseType: 1,
              },
            ],
          }),
        });
        if (res.status === 201) started += 1;
        await res.text();
      } catch {
        break; // the pad died under us
      }
    }
    clearTimeout(timer);
    await exited;
    kills += 1;
    if (opts.log && kills % 50 === 0) opts.log(`${kills} kills, ${acked.size} acknowledged`);
  }

  const check = new Database(join(opts.dataDir, 'kiosk.db'), { readonly: true });
  registerRecordFunctions(check);
  const integrity = String(check.pragma('integrity_check', { simple: true }));
  const rows = check
    .prepare(`SELECT record_id AS id, satisfaction AS s FROM records WHERE status = 'rated'`)
    .all() as Array<{ id: string; s: number }>;
  const dupRow = check
    .prepare(
      `SELECT COUNT(*) - COUNT(DISTINCT json_extract(record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status), '$.projectNo')) AS d FROM records`,
    )
    .get() as {
    d: number;
  };
  const chain = verifyChain(check);
  check.close();
  const byId = new Map(rows.map((r) => [r.id, r.s]));
  const lost = [...acked.keys()].filter((id) => !byId.has(id));
  const wrongStars = [...acked.entries()].filter(([id, s]) => byId.has(id) && byId.get(id) !== s).length;
  return {
    kills,
    acknowledged: acked.size,
    lost,
    duplicates: dupRow.d,
    wrongStars,
    integrity,
    chainOk: chain.ok,
    started,
    elapsedMs: Date.now() - t0,
  };
}
