import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseFromFutureError, openDatabase, PAGE_CACHE_KIB } from '../../../src/store/db.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { appendRecords } from '../../../src/store/records.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('store', () => {
  it('sets WAL and synchronous=FULL on every open, including a reopen of an existing WAL database', () => {
    const file = join(tmp.dir, 'reopen.db');
    openDatabase(file).close();
    // better-sqlite3 alone reopens WAL databases with synchronous=NORMAL (1): prove the difference.
    const bare = new Database(file);
    expect(bare.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(bare.pragma('synchronous', { simple: true })).toBe(1);
    bare.close();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('keeps a 2 MB page cache on every open, where better-sqlite3 alone keeps 16 MB', () => {
    const file = join(tmp.dir, 'cache.db');
    openDatabase(file).close();
    const bare = new Database(file);
    expect(bare.pragma('cache_size', { simple: true })).toBe(-16000);
    bare.close();
    for (const readonly of [false, true]) {
      const db = openDatabase(file, { readonly });
      expect(db.pragma('cache_size', { simple: true })).toBe(PAGE_CACHE_KIB);
      db.close();
    }
    expect(PAGE_CACHE_KIB).toBe(-2000);
  });

  it('migrates a new database to the current user_version', () => {
    const db = openDatabase(join(tmp.dir, 'new.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database newer than the code, without changing it', () => {
    const file = join(tmp.dir, 'future.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseFromFutureError);
    expect(() => openDatabase(file)).toThrow(/schema version/);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    check.close();
  });

  it('writes a record and its outbox row in one transaction: both or neither', () => {
    const db = openDatabase(join(tmp.dir, 'tx.db'));
    const rec = {
      evaluationId: 'E1',
      projectNo: 'P',
      serviceNumber: 1,
      taskCode: 'T',
      taskName: 'N',
      promiseType: 1 as const,
      hallCode: 'H',
      windowNo: '12',
      areaCode: 'A',
      staffId: 'S',
      staffName: 'X',
      pf: '4' as const,
      status: 'unrated' as const,
      startedTime: '2026-09-30 10:00:00',
      deviceTimeMs: 1,
      clockOffsetMs: 0,
    };
    expect(() =>
      db.transaction(() => {
        appendRecords(db, [rec], 1);
        throw new Error('crash before commit');
      })(),
    ).toThrow('crash before commit');
    const count = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([count('records'), count('outbox')]).toEqual([0, 0]);
    db.transaction(() => appendRecords(db, [rec], 1))();
    expect([count('records'), count('outbox')]).toEqual([1, 1]);
    expect(() => appendRecords(db, [rec], 1)).toThrow(/inside a transaction/);
    db.close();
  });
});
