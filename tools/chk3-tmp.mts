import Database from 'better-sqlite3';
const db = new Database(process.argv[2]!, { readonly: true, fileMustExist: true });
for (const t of ['records', 'outbox', 'meta']) {
  const cols = (db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).all(t) as { name: string }[]).map((c) => c.name);
  const sql = `SELECT count(*) AS n, sum(${cols.map((c) => `ifnull(length(substr("${c.replace(/"/g, '""')}", 1, 1)), 0)`).join(' + ')}) AS s FROM "${t}"`;
  const t0 = performance.now();
  const r = db.prepare(sql).get();
  console.log(t, JSON.stringify(r), (performance.now() - t0).toFixed(0), 'ms', sql.slice(0, 120));
}
