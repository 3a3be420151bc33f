import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseFromFutureError, openDatabase, setMeta, type Db } from './db.js';
import { salvageFile, type Salvage } from './salvage.js';
import { inspectWal } from './wal-check.js';
import { DAMAGE_META_KEY, markWaitingForPlatformSeq, type DamageReport } from './continuation.js';
import { adoptSealedRecords } from './adopt.js';
import Database from 'better-sqlite3';
import { findIntegrityProblem, type IntegrityFinding } from './integrity.js';
import { readAhead } from './read-ahead.js';
import { clearCheckFailed, markCheckFailed, takeCleanStop } from './clean-stop.js';
import { CHECK_THE_STORAGE, onReadOnlyFileSystem } from './volume.js';

export type { DamageReport };

/**
 * What happens to a damaged database (eMMC wear, a cut mid-write without barriers): the file is
 * checked at start; a file that fails is moved aside (never deleted), a page-level salvage
 * (salvage.ts) reads back every record that still proves itself by its hash, and those rows go
 * into a fresh database built by the migrations. The pad then waits for the platform's
 * `lastDeviceSeq`/`lastHash` before it seals new records (continuation.ts).
 */

const CORRUPT_CODES = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_VTAB',
]);

/** True for the errors that mean the file itself is damaged (not busy, not full, not read-only). */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CORRUPT_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

/** Moves the database and its WAL/SHM into `damaged/` under a time-stamped name. */
function setAside(path: string, nowMs: number): string {
  const dir = join(dirname(path), 'damaged');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  const target = join(dir, `${basename(path)}.${stamp}`);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

/**
 * Puts the damaged file aside, salvages its records (salvage.ts) and returns a sound database plus
 * the report. The fresh database is marked as waiting for the platform's sequence (continuation.ts).
 */
export function recoverDamagedDatabase(
  path: string,
  reason: string,
  nowMs: number,
): { db: Db; report: DamageReport } {
  const keptAt = setAside(path, nowMs);
  let salvageError: string | null = null;
  let found: Salvage | null = null;
  try {
    found = salvageFile(keptAt);
  } catch (err) {
    salvageError = (err as Error).message;
  }
  const db = openDatabase(path);
  let salvagedSeq = 0;
  let salvagedHash: string | null = null;
  if (found) {
    const salvage = found;
    // Delivered: an outbox row said so (before migration 5), or the record is at or below the
    // acknowledged mark and no page showed it still pending or rejected.
    const delivered = new Set(
      [...salvage.records.values()]
        .filter(
          (r) =>
            salvage.delivered.has(r.recordId) ||
            (r.deviceSeq <= salvage.ackedThrough && !salvage.undelivered.has(r.recordId)),
        )
        .map((r) => r.recordId),
    );
    adoptSealedRecords(db, [...salvage.records.values()], (id) => delivered.has(id));
    const top = db
      .prepare(
        'SELECT device_seq AS seq, record_hash(hash) AS hash FROM records ORDER BY device_seq DESC LIMIT 1',
      )
      .get() as { seq: number; hash: string } | undefined;
    salvagedSeq = Math.max(top?.seq ?? 0, salvage.metaSeq);
    salvagedHash = top && top.seq === salvagedSeq ? top.hash : null;
  }
  const counts = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM records) AS records,
              (SELECT COUNT(*) FROM outbox WHERE kind = 'record' AND state = 'pending') AS pending`,
    )
    .get() as { records: number; pending: number };
  const report: DamageReport = {
    detectedMs: nowMs,
    reason,
    keptAt,
    recoveredRecords: counts.records,
    recoveredPending: counts.pending,
    salvagedSeq,
    salvagedHash,
    salvageError,
  };
  setMeta(db, DAMAGE_META_KEY, JSON.stringify(report));
  return { db, report };
}

/**
 * Opens the pad's database the careful way: integrity check first; a damaged file is repaired
 * (recoverDamagedDatabase); a database that vanished (its marker file says one existed) starts
 * fresh. Both end waiting for the platform's sequence position. A first start on an empty data
 * directory is not a loss and does not wait.
 *
 * With `deferCheck`, a file the pad closed cleanly and nobody touched since (clean-stop.ts,
 * decision 178) opens without the check: `integrity` says `deferred`, and the caller runs the
 * same check beside the running pad. The clean-stop marker is consumed either way. With it too, a
 * check the machine stopped (a lock held elsewhere, permissions, a full disk) opens the file
 * unchecked, `deferred`; without it (tools) that throws IntegrityCheckBlockedError (decision 214).
 */
export function openCheckedDatabase(
  path: string,
  nowMs: number,
  opts: { deferCheck?: boolean } = {},
): { db: Db; damage: DamageReport | null; integrity: 'checked' | 'deferred' } {
  const mustCheck = takeCleanStop(path);
  if (opts.deferCheck && mustCheck === null) {
    try {
      return { db: openDatabase(path), damage: null, integrity: 'deferred' };
    } catch (err) {
      // A header worn since the clean stop: the full check below finds and repairs it.
      if (err instanceof DatabaseFromFutureError || !isCorruptionError(err)) throw err;
    }
  }
  const marker = `${path}.created`;
  const finish = (db: Db, damage: DamageReport | null) => {
    if (damage) markWaitingForPlatformSeq(db);
    if (!existsSync(marker)) writeFileSync(marker, new Date(nowMs).toISOString() + '\n');
    clearCheckFailed(path);
    return { db, damage, integrity: 'checked' as const };
  };
  if (!existsSync(path)) {
    if (existsSync(`${path}-wal`)) {
      return finish(
        ...pair(recoverDamagedDatabase(path, 'the database file is missing, its WAL is left', nowMs)),
      );
    }
    const db = openDatabase(path);
    if (!existsSync(marker)) return finish(db, null);
    const damage: DamageReport = {
      detectedMs: nowMs,
      reason: 'the database file is missing',
      keptAt: '',
      recoveredRecords: 0,
      recoveredPending: 0,
      salvagedSeq: 0,
      salvagedHash: null,
      salvageError: null,
    };
    setMeta(db, DAMAGE_META_KEY, JSON.stringify(damage));
    return finish(db, damage);
  }
  const wal = inspectWal(`${path}-wal`);
  const checkFile = (): IntegrityFinding | null => {
    // The check reads the file in B-tree order; after a power cut none of it is cached, and one
    // sequential pass over it first makes those reads cheap (decision 229).
    readAhead(path);
    return findIntegrityProblem(Database, path);
  };
  const finding: IntegrityFinding | null = wal?.lostCommits
    ? {
        problem: `WAL damaged: frame ${wal.validFrames + 1} of ${wal.frames} fails its checksum and committed transactions follow it`,
        damage: true,
      }
    : checkFile();
  // A file the check passed (or could not check) that still fails to open as damaged is repaired.
  const openOrRepair = (integrity: 'checked' | 'deferred') => {
    try {
      const db = openDatabase(path);
      return integrity === 'checked' ? finish(db, null) : { db, damage: null, integrity };
    } catch (err) {
      if (err instanceof DatabaseFromFutureError || !isCorruptionError(err)) throw err;
      return finish(...pair(recoverDamagedDatabase(path, `${(err as Error).message}`, nowMs)));
    }
  };
  if (finding === null) return openOrRepair('checked');
  if (isMachineFault(finding)) {
    // The check could not run for a reason of the machine, not of the file (locked by another
    // program, permissions, a full disk): setting the file aside would turn that into a rebuilt
    // database waiting for the platform (decision 214). A tool stops here and says why. The pad
    // opens it as usual — the open's own error, if any, is what the start reports — and checks it
    // beside the running pad; `<db>.check-failed` makes every later start check first until a
    // check has run. An I/O error reading the file is still damage (a worn eMMC block reads so).
    if (!opts.deferCheck) throw new IntegrityCheckBlockedError(path, finding);
    try {
      markCheckFailed(path, 'not_run', finding.problem);
    } catch (err) {
      // A disk too full for the marker (the check itself may have stopped for want of room): the
      // pad still opens and checks beside itself; only a later start after a clean stop of this
      // run would skip the check. Any other failure (a read-only partition) stops the start.
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    }
    return openOrRepair('deferred');
  }
  return finish(...pair(recoverDamagedDatabase(path, finding.problem, nowMs)));
}

/**
 * SQLite's codes for a check stopped by the machine around the file (decision 214): a lock held
 * elsewhere, permissions, a full disk (on which growing the WAL index fails), memory. Extended
 * codes of the first eight count too; of the I/O errors only those about locks, the WAL index and
 * memory — a read that fails is the medium's damage.
 */
const MACHINE_FAULT_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_PERM',
  'SQLITE_AUTH',
  'SQLITE_READONLY',
  'SQLITE_FULL',
  'SQLITE_NOMEM',
];
const MACHINE_FAULT_IO_CODES = new Set([
  'SQLITE_IOERR_SHMSIZE',
  'SQLITE_IOERR_SHMOPEN',
  'SQLITE_IOERR_SHMMAP',
  'SQLITE_IOERR_SHMLOCK',
  'SQLITE_IOERR_NOMEM',
  'SQLITE_IOERR_LOCK',
  'SQLITE_IOERR_RDLOCK',
  'SQLITE_IOERR_ACCESS',
]);

function isMachineFault(finding: IntegrityFinding): boolean {
  const code = finding.code;
  if (finding.damage || code === undefined) return false;
  return (
    MACHINE_FAULT_IO_CODES.has(code) ||
    MACHINE_FAULT_CODES.some((c) => code === c || code.startsWith(`${c}_`))
  );
}

/** What a tool (not the pad) meets when the check cannot run: nothing was changed. */
export class IntegrityCheckBlockedError extends Error {
  readonly code = 'HCP_CHECK_BLOCKED';
  constructor(path: string, finding: IntegrityFinding) {
    const c = finding.code ?? '';
    const what = /^SQLITE_(BUSY|LOCKED)/.test(c)
      ? "another program holds the database: close it (a second pad process, a technician's tool) and try again"
      : /^SQLITE_(FULL|IOERR_SHM)/.test(c)
        ? 'the disk is full: free space on it and try again'
        : /^SQLITE_(NOMEM|IOERR_NOMEM)/.test(c)
          ? 'the machine is out of memory: try again'
          : onReadOnlyFileSystem(dirname(path))
            ? `the file system of the data directory is read-only, as Linux makes it after disk errors: ${CHECK_THE_STORAGE}`
            : 'the data directory cannot be used by this user: fix the owner and permissions of the folder and its files';
    super(
      `数据库检查无法进行 / the integrity check of ${path} could not run (${finding.problem}): ${what}. Nothing was changed.`,
    );
    this.name = 'IntegrityCheckBlockedError';
  }
}

function pair(r: { db: Db; report: DamageReport }): [Db, DamageReport] {
  return [r.db, r.report];
}
