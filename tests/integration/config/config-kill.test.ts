import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';

const child = join(import.meta.dirname, 'config-writer-child.ts');

/** Starts the writer, kills it (SIGKILL) `afterMs` after it is ready; resolves when it is gone. */
function writeAndKill(file: string, mode: 'atomic' | 'naive', afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, file, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), afterMs));
    p.on('exit', () => resolve());
  });
}

/** What a pad would find on its next start: `A`, `B`, or a torn file. */
function whatIsThere(file: string): string {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { version: string; hall: { hallName: string } };
    return v.hall.hallName === v.version.repeat(100_000) ? v.version : 'torn';
  } catch {
    return 'torn';
  }
}

describe('config written while the pad is killed', () => {
  const t = tempDir('hcp-cfgkill-');
  afterAll(() => t.cleanup());

  it('always finds the old or the new file, whole, and private', { timeout: 180_000 }, async () => {
    const file = join(t.dir, 'config.json');
    writeFileSync(file, JSON.stringify({ version: 'A', hall: { hallName: 'A'.repeat(100_000) } }));
    // HCP_CONFIG_KILL_MODE=naive (plain writeFileSync) shows the test failing: a torn file in round 0.
    const prng = seededRandom(13);
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      await writeAndKill(
        file,
        process.env.HCP_CONFIG_KILL_MODE === 'naive' ? 'naive' : 'atomic',
        20 + Math.floor(prng() * 200),
      );
      const found = whatIsThere(file);
      expect(found, `round ${round}`).not.toBe('torn');
      seen.add(found);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    // Both versions were seen, so the kills did land while it was writing.
    expect([...seen].sort()).toEqual(['A', 'B']);
    // Leftover temporary files of killed writes are harmless (never read), but name themselves.
    for (const f of readdirSync(t.dir))
      expect(f === 'config.json' || /^\.config\.json\.\d+\.[0-9a-f]+\.tmp$/.test(f)).toBe(true);
  });
});
