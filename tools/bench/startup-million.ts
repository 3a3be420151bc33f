/**
 * Start-up with a long life behind it: the pad's real program (`dist/core/cli.mjs serve`, the
 * bundle `npm start` runs) on a copy of the million-record database, timed from spawning the
 * process until the window API answers GET /v1/status. Beside it, the same start on an empty
 * data directory in the same run (what the program costs before any data). Goal: ≤ 1 s.
 *   npx tsx tools/bench/startup-million.ts        (needs `npm run build`; BENCH_MILLION, BENCH_STARTS=3)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tests/helpers/tmp.js';
import { copyMillionDb, millionDb } from './million.js';
import { report } from './report.js';

const root = join(import.meta.dirname, '../..');
const bundle = join(root, 'dist/core/cli.mjs');
const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const TOKEN = 'bench-window-api-token-0123456789';

async function timedStart(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bundle, 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      HCP_QUIET: '1',
      HCP__dataDir: dataDir,
      HCP__windowApi__port: '0',
      HCP__windowApi__token: TOKEN,
      HCP__shell__port: '0',
      HCP__board: '{"kind":"none"}',
      HCP__printer__kind: 'none',
      HCP__platform__baseUrl: 'http://127.0.0.1:9',
      HCP__platform__deviceSecret: Buffer.alloc(32, 7).toString('base64'),
      // a real platform address: the provisioning checks want a pad's own identity and code
      HCP__platform__deviceId: 'PAD-BENCH-01',
      HCP__technician__code: '482913',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const apiUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /hcp-kiosk window-api (\S+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.on('exit', (code) => reject(new Error(`pad exited with ${code}: ${err}`)));
    });
    for (;;) {
      try {
        const res = await fetch(`${apiUrl}/v1/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        await res.text();
        if (res.status === 200) break;
        throw new Error(`GET /v1/status answered ${res.status}`);
      } catch (e) {
        if ((e as Error).message.startsWith('GET')) throw e;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    return performance.now() - t0;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
millionDb(); // build the cache before any timing
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const empty: number[] = [];
const full: number[] = [];
for (let i = 0; i < STARTS; i++) {
  const e = tempDir('hcp-bench-start-');
  try {
    empty.push(await timedStart(e.dir));
  } finally {
    e.cleanup();
  }
  const m = tempDir('hcp-bench-start-');
  try {
    copyMillionDb(m.dir);
    full.push(await timedStart(m.dir));
  } finally {
    m.cleanup();
  }
}
console.log(`start → window API answers, empty data dir:   ${empty.map((x) => x.toFixed(0)).join(', ')} ms`);
console.log(`start → window API answers, 1M records:       ${full.map((x) => x.toFixed(0)).join(', ')} ms`);
report('startup-million', [
  {
    figure: 'start with 1M records → window API answers',
    value: median(full),
    unit: 'ms',
    floor: 1000,
    floorLabel: 'goal',
    kind: 'le',
    goal: 1,
    note: `median of ${STARTS}`,
  },
  {
    figure: 'start with an empty data dir → window API answers',
    value: median(empty),
    unit: 'ms',
    floor: null,
    floorLabel: 'the program alone',
    kind: 'info',
    goal: null,
    note: `the million records add ${(median(full) - median(empty)).toFixed(0)} ms`,
  },
]);
