import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainStartError } from '../../../src/host/start-errors.js';
import { MigrationNeedsSpaceError } from '../../../src/store/migration-space.js';
import { openCheckedDatabase } from '../../../src/store/recovery.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';

/**
 * A migration that rebuilds a table (migration 8 rebuilds the cases) on a disk without room for the
 * copy, on a real 8 MiB tmpfs (root only: mount). The database must stay whole at its old schema,
 * the start must say what to do, and the same start with space back must finish the update.
 */
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('migration disk-full test skipped: mounting a tmpfs needs root');

let mountDir: string;
beforeEach(() => {
  if (!isRoot) return;
  mountDir = mkdtempSync(join(tmpdir(), 'hcp-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountDir], { stdio: 'pipe' });
});
afterEach(() => {
  if (!isRoot || !mountDir) return;
  try {
    execFileSync('umount', [mountDir], { stdio: 'pipe' });
  } catch {
    // a handle a failed assertion left open: detach the mount now, it goes when the handle does
    execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
  }
  rmdirSync(mountDir);
});

const T0 = Date.UTC(2026, 10, 2, 1, 0, 0);
const EVALUATIONS = 6_000;

/** A schema-7 database of a busy few weeks: every evaluation rated, one case each. */
function schema7Db(file: string): void {
  const db = databaseAtSchema(file, 7);
  const insEval = db.prepare(
    `INSERT INTO evaluations (id, state, staff_id, staff_name, window_no, origin, started_ms, prompt_ms, closed_ms,
       close_reason, norm_version)
     VALUES (?, 'rated', 'S01', '张三', '12', 'window_api', ?, ?, ?, 'rated', 'national-2020-05')`,
  );
  const insCase = db.prepare(
    `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name,
       promise_type, chosen_satisfaction, chosen_source, chosen_ms, writing_evaluation, outcome)
     VALUES (?, 0, 0, ?, 1, '370900-XK-0001', '个体工商户设立登记', 1, 5, 'key', ?, ?, 'rated')`,
  );
  try {
    db.transaction(() => {
      for (let i = 0; i < EVALUATIONS; i++) {
        const id = `E${String(i).padStart(20, '0')}`;
        const t = T0 + i * 60_000;
        insEval.run(id, t, t, t + 5000);
        insCase.run(
          id,
          `370900-2026-${String(i).padStart(6, '0')}`,
          t + 5000,
          i % 5 === 0 ? '等待时间太长' : null,
        );
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Fills the filesystem, then frees `leaveBytes` of it. */
function fillLeaving(dir: string, leaveBytes: number): string {
  const file = join(dir, 'filler.bin');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch {
    /* ENOSPC: full */
  } finally {
    closeSync(fd);
  }
  execFileSync('truncate', ['-s', String(Math.max(0, written - leaveBytes)), file]);
  return file;
}

function schemaAndRows(file: string): { version: number; evaluations: number; cases: number; check: string } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      evaluations: (db.prepare('SELECT COUNT(*) AS n FROM evaluations').get() as { n: number }).n,
      cases: (db.prepare('SELECT COUNT(*) AS n FROM evaluation_cases').get() as { n: number }).n,
      check: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

/** The pad's start: the careful open (integrity check, then migrations), as the host runs it. */
function startOpen(file: string): unknown {
  try {
    openCheckedDatabase(file, T0 + 86_400_000).db.close();
    return null;
  } catch (err) {
    return err;
  }
}

describe.skipIf(!isRoot)('a migration that does not fit on the disk', () => {
  it('leaves the database whole at its old schema, says how much space it needs, does not retry until space is freed, then finishes', () => {
    const file = join(mountDir, 'kiosk.db');
    schema7Db(file);
    const before = schemaAndRows(file);
    expect(before).toEqual({ version: 7, evaluations: EVALUATIONS, cases: EVALUATIONS, check: 'ok' });

    const filler = fillLeaving(mountDir, 256 * 1024);
    const first = startOpen(file);
    expect(first).toBeInstanceOf(MigrationNeedsSpaceError);
    const err = first as MigrationNeedsSpaceError;
    expect({ atVersion: err.atVersion, tried: err.tried }).toEqual({ atVersion: 7, tried: true });
    expect(err.message).toMatch(/空间不足.*past schema 7.*MB.*whole at schema 7\./);
    // what the pad's start prints instead of a stack trace
    expect(explainStartError(err, null)).toBe(err.message);
    expect(schemaAndRows(file)).toEqual(before);
    // nothing set aside as damaged
    expect(existsSync(join(mountDir, 'damaged'))).toBe(false);

    // the service restarts the pad: without space freed it does not write the copy again
    const again = startOpen(file) as MigrationNeedsSpaceError;
    expect(again).toBeInstanceOf(MigrationNeedsSpaceError);
    expect(again.tried).toBe(false);
    expect(again.message).toMatch(/did not try again/);
    expect(schemaAndRows(file)).toEqual(before);

    rmSync(filler);
    expect(startOpen(file)).toBeNull();
    expect(schemaAndRows(file)).toEqual({ ...before, version: SCHEMA_VERSION });
    expect(existsSync(`${file}.migration-no-space`)).toBe(false);
  });
});
