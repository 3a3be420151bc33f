import { join } from 'node:path';
import type { PadClock } from '../domain/clock.js';
import { waitingForPlatformSeq } from '../store/continuation.js';
import type { Db } from '../store/db.js';
import { refuseIfDecommissioned } from '../store/handover.js';
import { warmRecordCodec } from '../store/record-codec.js';
import { openCheckedDatabase } from '../store/recovery.js';
import { IntegrityLedger, watchIntegrity } from './integrity-watch.js';
import type { KioskLogger } from './log.js';
import { StorageHealth } from './storage-health.js';

export interface PadStore {
  db: Db;
  storage: StorageHealth;
  /** this run's full integrity check, for the heartbeat and the technician screen */
  integrity: IntegrityLedger;
  /** runs last at stop: ends a background check, closes the database, records a clean stop */
  close: () => Promise<void>;
}

/**
 * The pad's database as the core starts on it: checked (or its check deferred after a clean stop,
 * decision 178), repaired when damaged, refused when decommissioned, and its storage state known.
 */
export function openPadStore(dataDir: string, clock: PadClock, log: KioskLogger): PadStore {
  const dbFile = join(dataDir, 'kiosk.db');
  const opened = openCheckedDatabase(dbFile, clock.now(), { deferCheck: true });
  const db = opened.db;
  try {
    refuseIfDecommissioned(db, dataDir);
  } catch (err) {
    db.close();
    throw err;
  }
  if (opened.damage)
    log.write('error', '数据库已损坏并已修复 / database damaged, rebuilt', { ...opened.damage });
  const storage = new StorageHealth(dataDir);
  const integrity = new IntegrityLedger();
  const close = watchIntegrity(opened.integrity, dbFile, { db, storage, log, clock }, integrity);
  storage.setWaitingForSeq(waitingForPlatformSeq(db));
  // Made now rather than inside the first key press's transaction after a start (decision 224).
  // A codec that fails here fails each press too, with its own error; the pad still starts, so
  // that a technician can see why.
  try {
    warmRecordCodec();
  } catch (err) {
    log.write('error', '记录编码自检失败 / record codec self-check failed', {
      error: (err as Error).message,
    });
  }
  return { db, storage, integrity, close };
}
