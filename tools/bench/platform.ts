/**
 * The platform simulator in a process of its own, as a pad's platform is, and the pad's uploader
 * pointed at it: what `sync-drain` and `keypress-upload` share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Db } from '../../src/store/db.js';
import type { PlatformConfig, SyncService, SyncTuning } from '../../src/sync/index.js';
import { testSync } from '../../tests/unit/sync/fixtures.js';

/** Starts `platform-sim/main.ts` on a free port with its database at `dbPath`. */
export async function startSimProcess(dbPath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '../../platform-sim/main.ts'),
      '--port',
      '0',
      '--db',
      dbPath,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (c: string) => {
      buf += c;
      const m = /platform-sim listening (\S+)/.exec(buf);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { url, child };
}

/**
 * The pad's uploader on `db`, as the simulator's demo device, sending to `baseUrl` (the simulator,
 * or a proxy in front of it) on the wall clock: the tests' sync service with the pad's own
 * back-off and status pace unless `tuning` says otherwise; `config` changes what a bench needs.
 */
export function uploaderTo(
  baseUrl: string,
  db: Db,
  dataDir: string,
  opts: { config?: Partial<PlatformConfig>; tuning?: SyncTuning } = {},
): SyncService {
  return testSync(db, dataDir, baseUrl, {
    config: { requestTimeoutMs: 15_000, batchIntervalMs: 10_000, ...opts.config },
    extra: { appVersion: 'bench', tuning: opts.tuning ?? {} },
  });
}
