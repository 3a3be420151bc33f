import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { putOnDuty, startTestCore } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad | null = null;
afterEach(async () => {
  await pad?.stop();
  pad = null;
});

function modes(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

describe('data dir permissions (finding: dir 755, database 644 with the PIN hashes)', () => {
  it('a fresh data dir is 0700 and every file in it 0600 (database, WAL, logs, token)', async () => {
    const tmp = tempDir('hcp-fresh-');
    const dataDir = join(tmp.dir, 'data');
    pad = await startTestCore({ dataDir, 'windowApi.token': 'generate' });
    putOnDuty(pad.core);
    await pad.core.startEvaluation(
      { cases: [{ projectNo: 'P-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
      'window_api',
    );
    pad.core.log.write('info', 'a log line');
    const all = modes(dataDir);
    const names = all.map((e) => e.path.slice(dataDir.length));
    expect(names).toEqual(
      expect.arrayContaining([
        '',
        '/kiosk.db',
        '/kiosk.db-wal',
        '/logs',
        '/logs/kiosk.log',
        '/window-api.token',
      ]),
    );
    for (const e of all)
      expect({ path: e.path, mode: e.mode.toString(8) }).toEqual({
        path: e.path,
        mode: e.dir ? '700' : '600',
      });
    await pad.stop();
    pad = null;
    tmp.cleanup();
  });

  it('an existing looser dir is tightened at start', async () => {
    const tmp = tempDir('hcp-loose-');
    const dataDir = join(tmp.dir, 'data');
    mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'logs'), 0o755);
    writeFileSync(join(dataDir, 'logs', 'kiosk.log'), '{}\n', { mode: 0o644 });
    chmodSync(join(dataDir, 'logs', 'kiosk.log'), 0o644);
    pad = await startTestCore({ dataDir });
    for (const e of modes(dataDir)) expect((e.mode & 0o077).toString(8)).toBe('0');
    await pad.stop();
    pad = null;
    tmp.cleanup();
  });
});
