import Database from 'better-sqlite3';

/**
 * The full check of the pad's database file: `PRAGMA integrity_check` and a walk of every row of
 * the tables whose rows matter. At start it runs before the database is opened for writes
 * (recovery.ts); after a clean stop it runs beside the running pad instead (decision 178), in a
 * worker thread, which is why the check itself is one function that uses nothing but its
 * arguments: the worker runs its source text (host/integrity-watch.ts), so it works the same
 * from TypeScript and from either bundle.
 */

/**
 * What the check found: `damage` is true only for what proves the file damaged (`SQLITE_CORRUPT*`,
 * `SQLITE_NOTADB`); false when the check stopped on another error (busy, I/O, missing file), whose
 * meaning the caller weighs by its `code` (recovery.ts: a read error is still damage there).
 */
export interface IntegrityFinding {
  problem: string;
  damage: boolean;
  /** SQLite's (extended) error code when the check stopped on an error */
  code?: string;
}

/**
 * Self-contained: no imports, no helpers, no named inner functions (a loader's name-keeping
 * wrapper would reach outside it). `Sqlite` is better-sqlite3's constructor.
 */
export function findIntegrityProblem(Sqlite: typeof Database, path: string): IntegrityFinding | null {
  let db: Database.Database | null = null;
  try {
    // Read-only: closing must not checkpoint a damaged WAL into the file kept as evidence, and
    // beside the running pad a read-only connection reads its own snapshot while the pad writes.
    db = new Sqlite(path, { fileMustExist: true, readonly: true });
    const rows = db.pragma('integrity_check(20)') as Array<{ integrity_check: string }>;
    const problems = rows.map((r) => r.integrity_check).filter((t) => t !== 'ok');
    if (problems.length > 0) return { problem: problems.join('; '), damage: true };
    // integrity_check reads every page of the tables but a damaged row body only shows on read.
    for (const t of ['records', 'outbox', 'meta']) {
      const exists = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(t);
      // Walked, not gathered: every row is still read and decoded, but a million records are
      // not held in memory at once (docs/perf.md, start-up with a million records).
      if (exists) for (const _row of db.prepare(`SELECT * FROM ${t}`).raw().iterate()) void _row;
    }
    return null;
  } catch (err) {
    const code = String((err as { code?: unknown } | null)?.code ?? 'error');
    // The same codes as isCorruptionError (recovery.ts): the file itself is damaged.
    const damage = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
    return { problem: `${code}: ${(err as Error).message}`, damage, code };
  } finally {
    try {
      db?.close();
    } catch {
      /* a damaged file may refuse even to close cleanly; it is moved aside next */
    }
  }
}
