import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SimDb = Database.Database;

/** The simulator's own database: what "the platform" has stored. Not the pad's schema. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY, secret TEXT NOT NULL, hall_code TEXT NOT NULL, window_no TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1) STRICT;
CREATE TABLE IF NOT EXISTS nonces (
  device_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms INTEGER NOT NULL, PRIMARY KEY (device_id, nonce)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_seen ON nonces(seen_ms);
CREATE TABLE IF NOT EXISTS evaluations (
  evaluation_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, device_seq INTEGER NOT NULL,
  project_no TEXT NOT NULL, service_number INTEGER NOT NULL, status TEXT NOT NULL, satisfaction INTEGER,
  assess_time TEXT, content TEXT NOT NULL, batch_id TEXT NOT NULL, received_ms INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS evaluations_case ON evaluations(project_no, service_number) WHERE status = 'rated';
CREATE TABLE IF NOT EXISTS rejections (
  id INTEGER PRIMARY KEY AUTOINCREMENT, evaluation_id TEXT NOT NULL, device_id TEXT NOT NULL, batch_id TEXT NOT NULL,
  code TEXT NOT NULL, message TEXT NOT NULL, at_ms INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS batches (
  batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, results TEXT NOT NULL, received_ms INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS chain_heads (device_id TEXT PRIMARY KEY, device_seq INTEGER NOT NULL, hash TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS chain_breaks (
  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, device_seq INTEGER NOT NULL,
  expected_seq INTEGER NOT NULL, expected_prev TEXT NOT NULL, got_prev TEXT NOT NULL, at_ms INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS heartbeats (
  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, body TEXT NOT NULL, received_ms INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS appeals (
  appeal_id TEXT PRIMARY KEY, evaluation_id TEXT NOT NULL, device_id TEXT NOT NULL, staff_id TEXT NOT NULL,
  reason TEXT NOT NULL, submitted_time TEXT NOT NULL, status TEXT NOT NULL, code TEXT, received_ms INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS staff_pins (staff_id TEXT PRIMARY KEY, phc TEXT NOT NULL) STRICT;
`;

export function openSimDb(path: string): SimDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  // The platform commits before it answers: the drop-after-commit fault relies on that.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
