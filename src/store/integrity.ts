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
    // Every stored value of every row is loaded by SQLite itself (`substr` takes the whole value,
    // its overflow pages included; `length` alone would read only the row's header), and no
    // JavaScript value is made of it: on a million records 0.6 s instead of 6.7 s for the same
    // reads through `SELECT *` (decision 228). Missing tables have no columns and are skipped.
    for (const t of ['records', 'outbox', 'meta']) {
      const columns = db
        .prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (0, 3)`)
        .pluck()
        .all(t) as string[];
      if (columns.length === 0) continue;
      const loads = columns
        .map((c) => `ifnull(length(substr("${c.replaceAll('"', '""')}", 1, 1)), 0)`)
        .join(' + ');
      let inSql: Database.Statement | null = null;
      try {
        inSql = db.prepare(`SELECT count(*), sum(${loads}) FROM "${t}"`);
      } catch {
        // A column name that is not valid UTF-8 (a damaged schema) cannot be written back into
        // SQL: such a table is walked row by row, as before, so the check finds what it found.
        inSql = null;
      }
      if (inSql) inSql.raw().get();
      else for (const _row of db.prepare(`SELECT * FROM "${t}"`).raw().iterate()) void _row;
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
