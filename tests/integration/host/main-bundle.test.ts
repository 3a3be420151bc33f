import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coreBundleOptions, mainBundleOptions, mainOnlyOptions } from '../../../tools/build.js';

const root = resolve(import.meta.dirname, '../../..');
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/**
 * Electron's main is a CommonJS bundle, where `import.meta.url` is empty unless the build defines
 * it. The core finds its assets (fonts, norms, renderer) from the app root it derives from that
 * URL, so a bundle built with main's options, placed where main's bundle goes, must find the root.
 */
describe('the Electron main bundle', () => {
  it('finds the app root from inside a CommonJS bundle', async () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    dir = mkdtempSync(join(root, 'dist', '.main-bundle-test-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { appRoot } from ${JSON.stringify(join(root, 'src/host/paths.ts'))};\nprocess.stdout.write(appRoot());\n`,
    );
    const out = join(dir, 'main.cjs');
    await build({
      ...mainBundleOptions,
      ...mainOnlyOptions,
      entryPoints: [entry],
      outfile: out,
      logLevel: 'silent',
    });
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(root);
  });

  /**
   * The background integrity check (decision 178) runs its source text in an `eval` worker that
   * requires better-sqlite3 by the path the bundle resolves: both bundles must find it and run it.
   */
  it.each([
    ['Electron main (CommonJS)', { ...mainBundleOptions, ...mainOnlyOptions }, 'main.cjs'],
    ['core (ESM)', coreBundleOptions, 'cli.mjs'],
  ] as const)('runs the background integrity check inside the %s bundle', async (_name, options, file) => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    dir = mkdtempSync(join(root, 'dist', '.main-bundle-test-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { checkInBackground } from ${JSON.stringify(join(root, 'src/host/integrity-watch.ts'))};
const [sound, junk] = process.argv.slice(2) as [string, string];
const db = new Database(sound);
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE records (x); INSERT INTO records VALUES (1);');
db.close();
writeFileSync(junk, Buffer.alloc(8192, 0x5a));
const outcomes: string[] = [];
const keepAlive = setInterval(() => undefined, 1000);
for (const path of [sound, junk])
  checkInBackground(path, {
    storage: { markDamaged() {} },
    log: () => undefined,
    onDone: (o) => {
      outcomes.push(o);
      if (outcomes.length === 2) {
        clearInterval(keepAlive);
        process.stdout.write(outcomes.sort().join(','));
      }
    },
  });
`,
    );
    const out = join(dir, file);
    await build({ ...options, entryPoints: [entry], outfile: out, logLevel: 'silent' });
    const r = spawnSync(process.execPath, [out, join(dir, 'sound.db'), join(dir, 'junk.db')], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('damaged,ok');
  });
});
