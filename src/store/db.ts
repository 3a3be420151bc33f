import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { clearNoSpace, MigrationNeedsSpaceError, recordNoSpace, stillNoSpace } from './migration-space.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { registerRecordFunctions } from './record-codec.js';
import { prepareOnce } from './statements.js';

export type Db = Database.Database;

/** The page cache a connection keeps, in SQLite's unit for a size: negative KiB (decision 234). */
export const PAGE_CACHE_KIB = -2000;

export class DatabaseFromFutureError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
    path: string,
  ) {
    super(
      `数据库版本过新 / database ${path} has schema version ${found}, this build supports up to ${supported}. ` +
        'Install the newer app version that wrote it; the database was not changed.',
    );
    this.name = 'DatabaseFromFutureError';
  }
}

/**
 * Opens (creating if needed) the pad's database. Pragmas are set on every open because
 * better-sqlite3 reopens WAL databases with synchronous=NORMAL (toolchain.md): a rating must be
 * on disk before anything acknowledges it.
 */
export function openDatabase(path: string, opts: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  prepareOnce(db);
  registerRecordFunctions(db);
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > SCHEMA_VERSION) throw new DatabaseFromFutureError(found, SCHEMA_VERSION, path);
    if (!opts.readonly) migrateOrExplainSpace(db, found, path);
    // better-sqlite3 builds SQLite with a 16 MB page cache a connection; SQLite's own default of
    // 2 MB holds every page a press, a start or an upload slice touches again, and a pad that never
    // restarts then keeps 14 MB less (decision 234). Set after the migrations, which keep the
    // larger cache they were measured with (an index built over a year of records sorts in it).
    db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
    return db;
  } catch (err) {
    db.close();
    // Measured once the connection is closed: closing removes the WAL the attempt filled.
    if (err instanceof MigrationNeedsSpaceError && err.tried) recordNoSpace(path);
    throw err;
  }
}

function migrateOrExplainSpace(db: Db, found: number, path: string): void {
  if (found >= MIGRATIONS.length) return;
  if (path === ':memory:') return migrate(db, found);
  const databaseBytes = () =>
    (db.pragma('page_count', { simple: true }) as number) *
    (db.pragma('page_size', { simple: true }) as number);
  if (stillNoSpace(path)) throw new MigrationNeedsSpaceError(found, path, databaseBytes(), false);
  try {
    migrate(db, found);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
    throw new MigrationNeedsSpaceError(
      db.pragma('user_version', { simple: true }) as number,
      path,
      databaseBytes(),
      true,
    );
  }
  clearNoSpace(path);
}

/**
 * Brings a database from schema `from` to `to` (the newest by default), each step in its own
 * transaction with its user_version. Exported for tests that build a database at an older schema.
 */
export function migrate(db: Db, from: number, to = MIGRATIONS.length): void {
  for (let v = from; v < to; v++) {
    const step = MIGRATIONS[v];
    if (step === undefined) throw new Error(`migration ${v + 1} is missing`);
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Several meta values in one query (for hot paths); a key without a row is absent from the map. */
export function getMetas(db: Db, keys: readonly string[]): Map<string, string> {
  const rows = db
    .prepare(`SELECT key, value FROM meta WHERE key IN (${keys.map(() => '?').join(', ')})`)
    .all(...keys) as Array<{ key: string; value: string }>;
  return new Map(rows.map((r) => [r.key, r.value]));
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}
