import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { registerRecordFunctions } from './record-codec.js';
import { prepareOnce } from './statements.js';

export type Db = Database.Database;

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
 * A migration that rebuilds a table writes a copy of it first (migrations 4, 5, 7, 8): on a disk
 * without room for the copy it fails, its transaction is rolled back and the database stays at
 * the schema before it, whole. The pad cannot run on that older schema, so its start stops here
 * with what the technician has to do.
 */
export class MigrationNeedsSpaceError extends Error {
  readonly code = 'HCP_MIGRATION_NO_SPACE';
  constructor(
    readonly atVersion: number,
    readonly path: string,
    readonly databaseBytes: number,
  ) {
    const mb = Math.max(1, Math.ceil(databaseBytes / 1_048_576));
    super(
      `数据库升级空间不足 / updating database ${path} to schema ${atVersion + 1} ran out of disk space: ` +
        `it needs up to the database's own size free (${mb} MB) beside ${dirname(path)}. ` +
        'The database was not changed; free that space and start the pad again.',
    );
    this.name = 'MigrationNeedsSpaceError';
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
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrateOrExplainSpace(db: Db, found: number, path: string): void {
  try {
    migrate(db, found);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
    const reached = db.pragma('user_version', { simple: true }) as number;
    const pageBytes =
      (db.pragma('page_count', { simple: true }) as number) *
      (db.pragma('page_size', { simple: true }) as number);
    throw new MigrationNeedsSpaceError(reached, path, pageBytes);
  }
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
