import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../../../src/host/log.js';
import { tempDir } from '../../helpers/tmp.js';

const t = tempDir('hcp-log-');
afterEach(() => t.cleanup());

it('a failure repeated every few milliseconds is written once per window, with a count', () => {
  process.env.HCP_QUIET = '1';
  const log = createLogger(t.dir, { level: 'info', maxBytes: 1_000_000 });
  for (let i = 0; i < 5000; i++)
    log.write('error', 'press not stored', { error: 'database or disk is full' });
  log.write('info', 'something else');
  log.write('info', 'something else');
  const lines = readFileSync(join(t.dir, 'kiosk.log'), 'utf8').trim().split('\n');
  expect(lines.filter((l) => l.includes('press not stored'))).toHaveLength(1);
  // info lines are never coalesced: they are not the kind that floods
  expect(lines.filter((l) => l.includes('something else'))).toHaveLength(2);
});
