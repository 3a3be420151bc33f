import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getMeta, openDatabase, setMeta } from '../../../src/store/db.js';
import { explainStartError } from '../../../src/host/start-errors.js';
import { checkFailedFile } from '../../../src/store/clean-stop.js';
import { IntegrityCheckBlockedError, openCheckedDatabase } from '../../../src/store/recovery.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Decision 214: a start whose integrity check cannot run because of the machine around the file —
 * here another program holding the database locked — is not damage. The file must not be set
 * aside and rebuilt; the pad opens it once the lock is gone and checks it in the background.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Another process that holds `file` exclusively for `ms`; resolves once it holds the lock. */
function holdLocked(file: string, ms: number): Promise<{ exited: Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3');
       const db = new D(${JSON.stringify(file)});
       db.pragma('locking_mode = EXCLUSIVE');
       db.prepare("UPDATE meta SET value = value WHERE key = 'marker'").run();
       process.stdout.write('locked\\n');
       setTimeout(() => db.close(), ${ms});`,
    ],
    { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve({ exited });
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
  });
}

describe('a database another program holds locked at start', () => {
  // Held past a tool's check (5 s busy timeout, better-sqlite3's default) and the pad's check after
  // it, and released within the pad's open (another 5 s): the pad's start waits it out.
  it(
    'a tool stops and says why; the pad opens it once the lock is gone, unchecked until a check runs; nothing is set aside',
    { timeout: 40_000 },
    async () => {
      const file = join(tmp.dir, 'kiosk.db');
      const db = openDatabase(file);
      setMeta(db, 'marker', 'kept');
      db.close();

      const { exited } = await holdLocked(file, 13_000);
      try {
        // a tool (handover, the position of a new pad): no background check to defer to
        let blocked: unknown;
        try {
          openCheckedDatabase(file, Date.now()).db.close();
        } catch (err) {
          blocked = err;
        }
        expect(blocked).toBeInstanceOf(IntegrityCheckBlockedError);
        expect((blocked as Error).message).toMatch(
          /SQLITE_BUSY.*another program holds the database.*Nothing was changed/,
        );
        expect(explainStartError(blocked, null)).toBe((blocked as Error).message);
        // the pad
        const opened = openCheckedDatabase(file, Date.now(), { deferCheck: true });
        try {
          expect(opened.damage).toBeNull();
          expect(opened.integrity).toBe('deferred');
          expect(getMeta(opened.db, 'marker')).toBe('kept');
          // until a check has run, every start checks first, even after a clean stop
          expect(existsSync(checkFailedFile(file))).toBe(true);
        } finally {
          opened.db.close();
        }
      } finally {
        await exited;
      }
      expect(existsSync(join(tmp.dir, 'damaged'))).toBe(false);
      const next = openCheckedDatabase(file, Date.now(), { deferCheck: true });
      expect(next.integrity).toBe('checked');
      expect(existsSync(checkFailedFile(file))).toBe(false);
      next.db.close();
    },
  );
});
