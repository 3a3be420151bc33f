import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleDriver } from '../../power/build-guest.js';
import { tempDir } from '../../helpers/tmp.js';

const root = join(import.meta.dirname, '../../..');

/** Runs the power-cut guest's driver on this machine, with a plain file standing in for its port. */
function runDriver(
  bundle: string,
  env: Record<string, string>,
  stopWhen: (lines: string[]) => boolean,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      env: { ...process.env, HCP_QUIET: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const read = (): string[] =>
      existsSync(env.HCP_POWER_PORT ?? '') ? readFileSync(env.HCP_POWER_PORT ?? '', 'utf8').split('\n') : [];
    const poll = setInterval(() => {
      if (stopWhen(read())) child.kill('SIGKILL');
    }, 50);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', () => {
      clearInterval(poll);
      clearTimeout(guard);
      const lines = read().filter(Boolean);
      const fail = lines.find((l) => l.startsWith('FAIL '));
      if (fail) reject(new Error(`${fail}\n${stderr}`));
      else resolve(lines);
    });
  });
}

/**
 * The guest driver of the power-cut test (tests/power) outside the virtual machine: a fast guard
 * that it still starts the pad's core as composed today and speaks the protocol the host reads.
 * Power is not cut here (a SIGKILL keeps the page cache); `npm test`'s power-cut step does that.
 */
describe('power-cut guest driver, run on the host', () => {
  it('rates through the core, acknowledges, and the next boot reports every acknowledged rating', async () => {
    const data = tempDir();
    const outDir = join(root, 'dist', 'power');
    mkdirSync(outDir, { recursive: true });
    // Inside the project, so better-sqlite3 resolves from node_modules as it does from the guest's.
    const bundle = join(outDir, 'guest-driver.cjs');
    writeFileSync(bundle, await bundleDriver());
    const dataDir = join(data.dir, 'pad');
    const run = await runDriver(
      bundle,
      { HCP_POWER_PORT: join(data.dir, 'run.txt'), HCP_POWER_DATA: dataDir, HCP_POWER_PHASE: 'run' },
      (lines) => lines.filter((l) => l.startsWith('ACK ')).length >= 10,
    );
    expect(run[0]).toMatch(/^BOOT uptime=[\d.]+$/);
    expect(run[1]).toBe('CHECK none');
    expect(run[2]).toMatch(/^READY mode=sound uptime=/);
    const acked = run.filter((l) => l.startsWith('ACK ')).map((l) => l.split(' ').slice(1).join(':'));
    expect(acked.length).toBeGreaterThanOrEqual(10);
    expect(run.filter((l) => l.startsWith('NOTE '))).toEqual([]);

    const check = await runDriver(
      bundle,
      { HCP_POWER_PORT: join(data.dir, 'check.txt'), HCP_POWER_DATA: dataDir, HCP_POWER_PHASE: 'check' },
      () => false,
    );
    expect(check[1]).toMatch(/^CHECK integrity=ok chain=ok rated=\d+$/);
    const present = new Set(check.filter((l) => l.startsWith('R ')).flatMap((l) => l.slice(2).split(' ')));
    expect(acked.filter((a) => !present.has(a))).toEqual([]);
    expect(check.at(-1)).toBe('DONE');
    data.cleanup();
  });
});
