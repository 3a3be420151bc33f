import Database from 'better-sqlite3';
import { migrate } from '../../src/store/db.js';

/**
 * A new database file brought to schema `version` by the shipped migrations, as a pad running the
 * code of that time would have left it, for a test of the migrations after it. Opened without
 * `openDatabase` (which would migrate it to the newest schema): the caller fills it, closes it
 * and opens it again the way the pad does.
 */
export function databaseAtSchema(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, 0, version);
  return db;
}

/**
 * An existing database file brought from its schema to `version` by the shipped migrations, and
 * no further: the test of one migration then sees the tables as that migration left them, whatever
 * later ones change.
 */
export function migratedToSchema(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, db.pragma('user_version', { simple: true }) as number, version);
  return db;
}
