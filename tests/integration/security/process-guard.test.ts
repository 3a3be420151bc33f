import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CRASHED } from '../../../src/host/process-guard.js';
import { tempDir } from '../../helpers/tmp.js';

describe('process-level errors end the process for its supervisor, logged', () => {
  for (const kind of ['exception', 'rejection']) {
    it(`an uncaught ${kind} is logged and exits ${EXIT_CRASHED}`, () => {
      const tmp = tempDir();
      const log = join(tmp.dir, 'guard.log');
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'guard-child.ts')],
        {
          env: { ...process.env, GUARD_LOG: log, GUARD_KIND: kind },
          timeout: 30_000,
        },
      );
      expect(r.status).toBe(EXIT_CRASHED);
      const line = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0] as string) as Record<
        string,
        unknown
      >;
      expect(line.msg).toMatch(/fatal/);
      expect(String(line.error)).toMatch(kind === 'exception' ? /escaped handler/ : /lost promise/);
      tmp.cleanup();
    });
  }
});
