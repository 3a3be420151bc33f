import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { FOLD_AFTER_MS, foldClosedEvaluations } from '../../../src/store/fold.js';
import { NORMS, STAFF, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * A pad keeps years of evaluations: a query of a window's day that walks a whole table gets
 * slower every day, unnoticed in tests with a few rows. Every statement a day at the window runs
 * (start, press, reasons, cancel, time-out, the staff panel's figures, bad reviews and recent
 * list) is caught as it is prepared, and SQLite's plan for it must reach the growing tables
 * through an index, never by a scan.
 */
const GROWING = [
  'evaluations',
  'evaluation_cases',
  'records',
  'raw_inputs',
  'outbox',
  'appeals',
  'day_figures',
  'case_memory',
  'receipt_prints',
];

/** Table names by alias in a statement: `FROM evaluations e`, `JOIN evaluation_cases AS c`. */
function aliasesOf(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const table = m[1] as string;
    out.set(table, table);
    const alias = m[2];
    if (alias && !/^(WHERE|ON|JOIN|LEFT|INNER|CROSS|GROUP|ORDER|LIMIT|USING|SET|VALUES)$/i.test(alias))
      out.set(alias, table);
  }
  return out;
}

/**
 * The plan's lines that read a growing table from end to end: `SCAN <table or alias>`, with or
 * without an index (a whole index walked in its order is still every row).
 */
function scansOf(db: ReturnType<typeof serviceFixture>['db'], sql: string): string[] {
  const named = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1] as string))];
  const positional = [...sql.replace(/'[^']*'/g, '').matchAll(/\?/g)].length;
  const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const args: unknown[] = named.length > 0 ? [Object.fromEntries(named.map((n) => [n, null]))] : [];
  for (let i = 0; i < positional; i++) args.push(null);
  const rows = stmt.all(...args) as Array<{ detail: string }>;
  const aliases = aliasesOf(sql);
  return rows
    .map((r) => r.detail)
    .filter((d) => {
      const m = /^SCAN (\w+)/.exec(d);
      const table = m ? (aliases.get(m[1] as string) ?? (m[1] as string)) : null;
      return table !== null && GROWING.includes(table);
    });
}

describe('query plans of a day at the window', () => {
  let fx: ReturnType<typeof serviceFixture>;
  const seen = new Set<string>();
  beforeEach(() => {
    fx = serviceFixture();
    const prepare = fx.db.prepare.bind(fx.db);
    fx.db.prepare = ((sql: string) => {
      seen.add(sql);
      return prepare(sql);
    }) as typeof fx.db.prepare;
  });
  afterEach(() => fx.cleanup());

  it('reach evaluations, cases, records, presses and the outbox through indexes only', () => {
    const queries = new StaffQueries(fx.db, fx.clock, () => 3);
    const badCode = NORMS.items.find((i) => i.starLevel === 1)?.code as string;
    const ctx = { origin: 'window_api' as const, staff: STAFF };
    for (let i = 0; i < 30; i++) {
      const { evaluationId } = fx.svc.start({ cases: [oneCase(`PLAN-${i}`)] }, ctx);
      fx.clock.advance(2_000);
      if (i % 10 === 3) {
        fx.svc.cancel(evaluationId, { reason: 'wrong_case', staffId: STAFF.staffId, channel: 'test' });
        continue;
      }
      if (i % 10 === 7) {
        fx.clock.advance(61_000);
        fx.svc.expireDue();
        continue;
      }
      // Quick ratings, so the burst rule's query runs too.
      fx.svc.press({
        source: 'key',
        key: i % 5 === 0 ? 1 : 5,
        board: { serial: 'P', bootId: 1, counter: i },
      });
      if (i % 5 === 0) fx.svc.submitReasons(evaluationId, [badCode], undefined);
      fx.clock.advance(1_000);
    }
    // Hours later the day's evaluations fold into their records (decision 220) and the figures,
    // bad reviews and recent list read them there.
    fx.clock.advance(FOLD_AFTER_MS + 60_000);
    expect(foldClosedEvaluations(fx.db, { nowMs: fx.clock.now() }).evaluations).toBe(30);
    const batch = fx.svc.start({ cases: [oneCase('PLAN-B1'), oneCase('PLAN-B2')] }, ctx);
    fx.svc.press({ source: 'touch', key: 4, evaluationId: batch.evaluationId });
    queries.figures(STAFF.staffId);
    queries.windowFigures('12');
    queries.badReviews(STAFF.staffId);
    queries.recent(STAFF.staffId);

    const read = [...seen].filter((sql) => GROWING.some((t) => sql.includes(t)));
    // The day touched the queries this test is about.
    for (const part of [
      'FROM evaluations e',
      'evaluation_cases',
      'raw_inputs',
      'records r',
      'staff_id = ?',
      'day_figures',
      'json_each(d.bad_reviews)',
    ])
      expect(
        read.some((sql) => sql.includes(part)),
        part,
      ).toBe(true);
    const scanning = read
      .map((sql) => ({ sql: sql.replace(/\s+/g, ' ').slice(0, 160), scans: scansOf(fx.db, sql) }))
      .filter((q) => q.scans.length > 0);
    expect(scanning).toEqual([]);
  });
});
