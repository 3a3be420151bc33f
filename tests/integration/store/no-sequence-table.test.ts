import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { markDelivered, markRejected, pendingRecords, rejectedItems } from '../../../src/store/outbox.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { badCode, oneCase, records, serviceFixture, serviceOn, STAFF } from '../../helpers/service.js';
import { FakeClock, tempDir } from '../../helpers/tmp.js';

/**
 * Migration 10 (decision 221): presses and outbox rows are numbered without AUTOINCREMENT, so a
 * key press no longer writes sqlite_sequence's page. Rows and ids survive the migration, new ids
 * go on above the kept ones, and what the ids order still comes out in that order.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());

type Row = Record<string, unknown>;
const all = (db: { prepare(sql: string): { all(): unknown[] } }, sql: string) =>
  db.prepare(sql).all() as Row[];

describe('migration 10: no sequence table for presses and the outbox', () => {
  it('keeps every press and outbox row with its id, and new rows go on above them', () => {
    const file = join(tmp.dir, 'nine.db');
    const old = databaseAtSchema(file, 9);
    old.transaction(() => {
      const press = old.prepare(
        `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition, evaluation_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (let i = 1; i <= 40; i++)
        press.run(
          1_000 * i,
          i % 3 ? 'key' : 'touch',
          1 + (i % 5),
          i % 3 ? 'B1' : null,
          i % 3 ? 7 : null,
          i % 3 ? i : null,
          'rated',
          `E${i}`,
        );
      // the newest presses deleted: AUTOINCREMENT would not give their ids again; from here on they
      // are given again (38 below), so nothing may hold them (next test)
      old.exec('DELETE FROM raw_inputs WHERE id > 37');
      const outbox = old.prepare(
        `INSERT INTO outbox (kind, ref, device_seq, urgent, state, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      outbox.run('record', 'E1-0', 1, 0, 'pending', 10);
      outbox.run('record', 'E2-0', 2, 1, 'rejected', 20);
      outbox.run('appeal', 'A1', null, 1, 'delivered', 30);
      outbox.run('record', 'E3-0', 3, 0, 'pending', 40);
    })();
    const pressesBefore = all(old, 'SELECT * FROM raw_inputs ORDER BY id');
    const outboxBefore = all(old, 'SELECT * FROM outbox ORDER BY id');
    expect(all(old, 'SELECT name, seq FROM sqlite_sequence ORDER BY name')).toEqual([
      { name: 'outbox', seq: 4 },
      { name: 'raw_inputs', seq: 40 },
    ]);
    old.close();

    const db = openDatabase(file);
    try {
      expect(all(db, 'SELECT * FROM raw_inputs ORDER BY id')).toEqual(pressesBefore);
      expect(all(db, 'SELECT * FROM outbox ORDER BY id')).toEqual(outboxBefore);
      const tables = all(db, `SELECT name, sql FROM sqlite_master WHERE name IN ('raw_inputs', 'outbox')`);
      expect(tables).toHaveLength(2);
      for (const t of tables) expect(String(t.sql)).not.toMatch(/AUTOINCREMENT/i);
      expect(all(db, `SELECT name FROM sqlite_sequence WHERE name IN ('raw_inputs', 'outbox')`)).toEqual([]);
      // every index of the two tables is there again
      expect(
        all(
          db,
          `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('raw_inputs', 'outbox') AND sql IS NOT NULL ORDER BY name`,
        ).map((r) => r.name),
      ).toEqual(['outbox_pending', 'outbox_ref', 'outbox_rejected', 'raw_inputs_at', 'raw_inputs_board_key']);
      // the board's dedupe still holds: the same board key is refused
      expect(() =>
        db
          .prepare(
            `INSERT INTO raw_inputs (at_ms, source, key, board_serial, boot_id, counter, disposition) VALUES (1, 'key', 1, 'B1', 7, 1, 'x')`,
          )
          .run(),
      ).toThrow(/UNIQUE/);
      // a new press takes the id after the largest kept (37), as the sweeps that keep the newest assume
      const id = db
        .prepare(
          `INSERT INTO raw_inputs (at_ms, source, key, disposition) VALUES (99000, 'touch', 3, 'rated')`,
        )
        .run().lastInsertRowid;
      expect(Number(id)).toBe(38);
      // outbox: found by ref as before; a rejection listed newest first
      expect(pendingRecords(db, 10).map((r) => r.recordId)).toEqual([]); // no records rows: nothing joins
      markRejected(db, 'E3-0', 'E_SCHEMA', 'refused', 50);
      expect(rejectedItems(db).map((r) => r.ref)).toEqual(['E3-0', 'E2-0']);
    } finally {
      db.close();
    }
  });

  it('an evaluation open across the migration finds its own presses by id when the newest presses had gone before it', () => {
    // Before decision 220's fixes retention could delete the newest presses (every press older than
    // its bound, e.g. on a pad whose clock was behind); sqlite_sequence then stood above MAX(id).
    // An evaluation started before that deletion holds inputs_after above every id left, and
    // without AUTOINCREMENT its presses would be given ids at or below it.
    const file = join(tmp.dir, 'open-across.db');
    const clock = new FakeClock();
    const service = (db: Db) => serviceOn(db, clock);
    const old = databaseAtSchema(file, 9);
    const stray = old.prepare(
      `INSERT INTO raw_inputs (at_ms, source, key, disposition) VALUES (?, 'key', 5, 'no_evaluation')`,
    );
    for (let i = 0; i < 40; i++) stray.run(clock.now() - 86_400_000 + i);
    const { evaluationId } = service(old).start(
      { cases: [oneCase('370900-2026-777777')] },
      { origin: 'window_api', staff: STAFF },
    );
    old.exec('DELETE FROM raw_inputs'); // the retention of that time, while the evaluation waits
    old.close();

    const db = openDatabase(file);
    try {
      const svc = service(db);
      clock.advance(3000);
      svc.press({ source: 'key', key: 2 });
      clock.advance(40_000); // far outside the time window around the rating: found by id only
      svc.press({ source: 'touch', key: 5, evaluationId });
      svc.submitReasons(evaluationId, [badCode(2)], undefined);
      // as tests/integration/service/rules.test.ts has it for a pad that never migrated
      expect(records(db)[0]?.riskFlags).toEqual(['key_and_touch']);
    } finally {
      db.close();
    }
  });

  it('a rejected row listed newest first stays so after the newest rows are delivered and new ones come', () => {
    const fx = serviceFixture();
    try {
      const rate = (n: number) => {
        fx.svc.start({ cases: [oneCase(`370900-2026-90000${n}`)] }, { origin: 'window_api', staff: STAFF });
        fx.clock.advance(3000);
        fx.svc.press({ source: 'key', key: 5, board: { serial: 'B', bootId: 1, counter: n } });
        fx.clock.advance(30_000);
      };
      rate(1);
      rate(2);
      const [first, second] = pendingRecords(fx.db, 10);
      markRejected(fx.db, String(first?.recordId), 'E1', 'one', fx.clock.now());
      // the newest row delivered (deleted): the next row's id may be the same number again
      markDelivered(fx.db, [String(second?.recordId)], fx.clock.now());
      rate(3);
      const [third] = pendingRecords(fx.db, 10);
      markRejected(fx.db, String(third?.recordId), 'E3', 'three', fx.clock.now());
      expect(rejectedItems(fx.db).map((r) => r.code)).toEqual(['E3', 'E1']);
    } finally {
      fx.cleanup();
    }
  });
});

describe('the pages a key press writes', () => {
  /** The B-trees whose pages the WAL holds after `act`, by name (dbstat). */
  function pagesWritten(fx: ReturnType<typeof serviceFixture>, act: () => void): string[] {
    const wal = join(fx.dir, 'kiosk.db-wal');
    const from = statSync(wal).size;
    act();
    const bytes = readFileSync(wal);
    const pageSize = fx.db.pragma('page_size', { simple: true }) as number;
    const names = new Map(
      (fx.db.prepare('SELECT name, pageno FROM dbstat').all() as Array<{ name: string; pageno: number }>).map(
        (r) => [r.pageno, r.name],
      ),
    );
    const out: string[] = [];
    for (let at = Math.max(from, 32); at + 24 <= bytes.length; at += pageSize + 24)
      out.push(names.get(bytes.readUInt32BE(at)) ?? `page ${bytes.readUInt32BE(at)}`);
    return out.sort();
  }

  it('a rating by key writes one page of each B-tree it changes, and none of sqlite_sequence', () => {
    const fx = serviceFixture();
    try {
      fx.db.pragma('wal_autocheckpoint = 0');
      // the first rating of a pad also adds the chain head's keys to meta: measured is the second
      for (const [n, projectNo] of ['370900-2026-000001', '370900-2026-000002'].entries()) {
        fx.svc.start({ cases: [oneCase(projectNo)] }, { origin: 'window_api', staff: STAFF });
        fx.clock.advance(3000);
        if (n === 1) break;
        fx.svc.press({ source: 'key', key: 5, board: { serial: 'B', bootId: 1, counter: 9 } });
        fx.clock.advance(30_000);
      }
      const pages = pagesWritten(fx, () =>
        fx.svc.press({ source: 'key', key: 5, board: { serial: 'B', bootId: 1, counter: 1 } }),
      );
      expect(pages).not.toContain('sqlite_sequence');
      // the rating's own rows, the press, the record and its outbox row, the chain head: nothing else
      expect(pages).toEqual(
        [
          'evaluation_cases',
          'evaluations',
          'evaluations_open',
          'meta',
          'outbox',
          'outbox_pending',
          'outbox_ref',
          'raw_inputs',
          'raw_inputs_at',
          'raw_inputs_board_key',
          'records',
          'sqlite_autoindex_records_1',
        ].sort(),
      );
    } finally {
      fx.cleanup();
    }
  });
});
