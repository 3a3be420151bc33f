import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { buildReceipt, printerProfileSchema, VirtualDevice } from '../../../src/hardware/printer/index.js';
import { createLogger } from '../../../src/host/log.js';
import { tempDir } from '../../helpers/tmp.js';
import { sampleReceipt } from '../../unit/printer/fixtures.js';

/** Logs and receipt images never fill the disk: both are capped, and the oldest go first. */
const t = tempDir('hcp-caps-');
afterEach(() => {
  vi.useRealTimers();
  t.cleanup();
});

it('the log keeps one current and one previous file, never more than twice its cap', () => {
  process.env.HCP_QUIET = '1';
  const maxBytes = 65_536;
  const log = createLogger(t.dir, { level: 'info', maxBytes });
  // ~1 MiB of distinct lines (info lines are never coalesced)
  for (let i = 0; i < 8000; i++) log.write('info', `line ${i}`, { pad: 'x'.repeat(100) });
  const files = readdirSync(t.dir).sort();
  expect(files).toEqual(['kiosk.log', 'kiosk.log.1']);
  const total = files.reduce((n, f) => n + statSync(join(t.dir, f)).size, 0);
  expect(total).toBeLessThanOrEqual(2 * maxBytes + 1024);
  // the newest line is in the current file, the oldest are gone
  const current = readFileSync(join(t.dir, 'kiosk.log'), 'utf8');
  expect(current).toContain('"line 7999"');
  const previous = readFileSync(join(t.dir, 'kiosk.log.1'), 'utf8');
  expect(previous + current).not.toContain('"line 0"');
  console.log(`log cap: ${total} bytes on disk after ~1 MiB written (cap ${maxBytes} per file)`);
});

it('receipt images are capped, oldest first, also after the wall clock jumped back', async () => {
  const profile = printerProfileSchema.parse({ paperWidthMm: 58 });
  const device = new VirtualDevice(t.dir, profile, { state: 'ok', paperLow: false }, undefined, undefined, 3);
  const bytes = buildReceipt(sampleReceipt(), profile);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-02T08:00:00Z'));
  for (const id of ['a1', 'a2', 'a3']) await device.send(bytes, id);
  // The RTC battery died: the pad reboots in 2000 and prints on.
  vi.setSystemTime(new Date('2000-01-01T00:00:00Z'));
  for (const id of ['b1', 'b2']) await device.send(bytes, id);
  const jobs = [
    ...new Set(
      readdirSync(t.dir).map((n) =>
        n
          .replace(/\.(bin|png)$/, '')
          .split('-')
          .pop(),
      ),
    ),
  ];
  // the three newest jobs are kept (a .bin and a .png each), whatever their clock said
  expect(jobs.sort()).toEqual(['a3', 'b1', 'b2']);
  expect(readdirSync(t.dir)).toHaveLength(6);
}, 30_000);
