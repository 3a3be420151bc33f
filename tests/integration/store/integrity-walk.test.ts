import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIntegrityProblem } from '../../../src/store/integrity.js';
import { appendRecords } from '../../../src/store/records.js';
import { seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeUnsealed, openPadDb, seedRecords, T0 } from '../../unit/sync/fixtures.js';

/**
 * The full check reads every row's values inside SQLite (decision 228) instead of making a
 * JavaScript value of each. Whatever a byte of damage does to the file, its verdict must be the
 * one the row-by-row walk gave: here both run over the same pad database, damaged one byte at a
 * time at seeded places (page headers, cells, overflow pages, the schema), and must agree on
 * every copy.
 */
function verdictOfRowWalk(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check(20)') as Array<{ integrity_check: string }>;
    if (rows.some((r) => r.integrity_check !== 'ok')) return 'damage';
    for (const t of ['records', 'outbox', 'meta']) {
      const exists = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(t);
      if (exists) for (const row of db.prepare(`SELECT * FROM ${t}`).raw().iterate()) void row;
    }
    return 'ok';
  } catch (err) {
    const code = String((err as { code?: unknown }).code);
    return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' ? 'damage' : `error ${code}`;
  } finally {
    db.close();
  }
}

function verdictOfCheck(path: string): string {
  const found = findIntegrityProblem(Database, path);
  if (found === null) return 'ok';
  return found.damage ? 'damage' : `error ${found.code}`;
}

describe('the full integrity check', () => {
  const tmp = tempDir('hcp-integrity-walk-');
  const pristine = join(tmp.dir, 'kiosk.db');
  let bytes: Buffer;

  beforeAll(() => {
    const db = openPadDb(tmp.dir);
    seedRecords(db, 120, { chunk: 40 });
    // A comment that packs badly and spills its record onto overflow pages.
    const chars = seededRandom(7);
    const comment = Array.from({ length: 3000 }, () =>
      String.fromCodePoint(0x4e00 + Math.floor(chars() * 0x5000)),
    ).join('');
    db.transaction(() =>
      appendRecords(db, [makeUnsealed(500, { satisfaction: 1, writingEvaluation: comment })], T0),
    )();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    bytes = readFileSync(pristine);
    const check = new Database(pristine, { readonly: true });
    const overflow = check
      .prepare(`SELECT COUNT(*) FROM dbstat WHERE name = 'records' AND pagetype = 'overflow'`)
      .pluck()
      .get();
    check.close();
    expect(overflow).toBeGreaterThan(0);
  });
  afterAll(() => tmp.cleanup());

  it('passes the undamaged file', () => {
    expect(verdictOfCheck(pristine)).toBe('ok');
  });

  it('gives the row-by-row walk’s verdict for every one-byte damage', () => {
    const random = seededRandom(228);
    const damaged = join(tmp.dir, 'damaged.db');
    const verdicts = new Map<string, number>();
    const disagreements: string[] = [];
    const pages = bytes.length / 4096;
    for (let n = 0; n < 700; n++) {
      // Half at page starts and the first cells (headers and cell pointers), half anywhere.
      const page = Math.floor(random() * pages);
      const pos = n % 2 === 0 ? page * 4096 + Math.floor(random() * 64) : Math.floor(random() * bytes.length);
      const value = [0x00, 0xff, 0x81, 0x0a][n % 4] as number;
      if (bytes[pos] === value) continue;
      const copy = Buffer.from(bytes);
      copy[pos] = value;
      writeFileSync(damaged, copy);
      const expected = verdictOfRowWalk(damaged);
      const got = verdictOfCheck(damaged);
      verdicts.set(got, (verdicts.get(got) ?? 0) + 1);
      if (got !== expected) disagreements.push(`byte ${pos} = ${value}: ${got}, the walk: ${expected}`);
    }
    expect(disagreements).toEqual([]);
    // Not a vacuous comparison: many copies are found damaged, many read fine.
    expect(verdicts.get('damage') ?? 0).toBeGreaterThan(50);
    expect(verdicts.get('ok') ?? 0).toBeGreaterThan(50);
  });

  it('walks a table whose column name the damage made unreadable as UTF-8', () => {
    // The schema's text of `records` with one byte of a column name made 0xff (everywhere that
    // text is, so the live copy too): the name cannot be written back into SQL, and the table is
    // then walked row by row.
    const copy = Buffer.from(bytes);
    const text = Buffer.from('hash ANY NOT NULL');
    let hits = 0;
    for (let at = copy.indexOf(text); at >= 0; at = copy.indexOf(text, at + 1), hits++) copy[at + 1] = 0xff;
    expect(hits).toBeGreaterThan(0);
    const damaged = join(tmp.dir, 'schema.db');
    writeFileSync(damaged, copy);
    const names = new Database(damaged, { readonly: true });
    const columns = names.prepare(`SELECT name FROM pragma_table_xinfo('records')`).pluck().all() as string[];
    names.close();
    expect(columns.some((c) => c.includes('\uFFFD'))).toBe(true);
    expect(verdictOfCheck(damaged)).toBe('ok');
    expect(verdictOfRowWalk(damaged)).toBe('ok');
  });
});
