import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneCase, serviceFixture, STAFF } from '../../helpers/service.js';

const root = join(import.meta.dirname, '../../..');

function verifyCli(dataDir: string) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/host/cli.ts'), 'verify', '--data-dir', dataDir],
    {
      encoding: 'utf8',
      env: { ...process.env, HCP_QUIET: '1' },
    },
  );
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('npm run verify', () => {
  it(
    'says ok on an untouched chain and names the first broken record after an edit',
    { timeout: 60_000 },
    () => {
      const fx = serviceFixture();
      for (let i = 0; i < 5; i++) {
        fx.svc.start({ cases: [oneCase(`V-${i}`)] }, { origin: 'window_api', staff: STAFF });
        fx.clock.advance(3000);
        fx.svc.press({ source: 'key', key: 4 });
      }
      const ok = verifyCli(fx.dir);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain('5 records verified');
      // Someone turns a 4 into a 5 in the third record.
      const row = fx.db
        .prepare(
          'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records WHERE device_seq = 3',
        )
        .get() as { body: string };
      fx.db
        .prepare('UPDATE records SET body = ? WHERE device_seq = 3')
        .run(row.body.replace('"satisfaction":4', '"satisfaction":5'));
      const broken = verifyCli(fx.dir);
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(/deviceSeq 3/);
      fx.cleanup();
    },
  );
});
