import type Database from 'better-sqlite3';

/**
 * Makes `db.prepare(sql)` on the pad's connection return the statement prepared the first time
 * that SQL text was seen (project rule: statements are prepared once). A rating's transaction runs
 * about a dozen statements, and preparing one costs more than running it; doing it here keeps
 * every query of every layer — today's and tomorrow's — on the cheap path without threading
 * statement objects through the services.
 *
 * The rules that come with sharing a statement: a walk with `.iterate()` must finish or call
 * `return()` before the same SQL runs again (verify and retention do), and the statement's modes
 * (`pluck`, `raw`, `expand`) must not be changed on a shared statement.
 */
export function prepareOnce(db: Database.Database): void {
  const cache = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  const once = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  db.prepare = once as Database.Database['prepare'];
}
