import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getMeta, openDatabase, type Db } from '../../../src/store/db.js';
import { markDelivered, markRejected } from '../../../src/store/outbox.js';
import { ChainBrokenError, pruneDelivered } from '../../../src/store/retention.js';
import { verifyChain } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches, variedRecord } from './chain-fixture.js';
import { appendRecords } from '../../../src/store/records.js';
import type { UnsealedRecord } from '../../../src/domain/record.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1, 1, 0, 0);
let n = 0;

/** 10 records, one per day from T0 (created_ms = T0 + i days). */
function tenDays(): Db {
  const db = openDatabase(join(tmp.dir, `r${n++}.db`));
  for (let i = 0; i < 10; i++)
    db.transaction(() => appendRecords(db, [variedRecord(i, T0 + i * DAY)], T0 + i * DAY))();
  return db;
}
const ids = (db: Db) =>
  (db.prepare('SELECT record_id AS id FROM records ORDER BY device_seq').all() as Array<{ id: string }>).map(
    (r) => r.id,
  );

const outboxRefs = (db: Db) =>
  (
    db.prepare(`SELECT ref FROM outbox WHERE kind = 'record' ORDER BY device_seq`).all() as Array<{
      ref: string;
    }>
  ).map((r) => r.ref);

describe('pruneDelivered', () => {
  it('deletes delivered records older than keepDays with their outbox rows, and the chain still verifies', () => {
    const db = tenDays();
    const before = ids(db);
    markDelivered(db, before, T0 + 10 * DAY);
    // The records say the pad's clock was 120 ms ahead (chain-fixture.ts): true time is 120 ms less.
    const res = pruneDelivered(db, { keepDays: 3, nowMs: T0 + 10 * DAY - 120 });
    // created on days 0..6 are older than 3 days at day 10 (day 7 is exactly 3 days old: kept).
    expect(res.deleted).toBe(7);
    expect(res.anchor?.deviceSeq).toBe(7);
    expect(ids(db)).toEqual(before.slice(7));
    // delivered records keep no outbox row (decision 175)
    expect(outboxRefs(db)).toEqual([]);
    expect(JSON.parse(getMeta(db, 'retention_anchor')!)).toEqual(res.anchor);
    expect(verifyChain(db)).toEqual({ ok: true, count: 3 });
    expect(getMeta(db, 'last_device_seq')).toBe('10');
    db.close();
  });

  it('stops at the first pending record and keeps everything after it', () => {
    const db = tenDays();
    const all = ids(db);
    markDelivered(
      db,
      all.filter((_, i) => i !== 3),
      T0 + 20 * DAY,
    );
    const res = pruneDelivered(db, { keepDays: 1, nowMs: T0 + 20 * DAY });
    expect(res.deleted).toBe(3);
    expect(ids(db)).toEqual(all.slice(3));
    expect(verifyChain(db)).toEqual({ ok: true, count: 7 });
    db.close();
  });

  it('never deletes a rejected record, nor anything after it', () => {
    const db = tenDays();
    const all = ids(db);
    markDelivered(
      db,
      all.filter((_, i) => i !== 0),
      T0 + 20 * DAY,
    );
    markRejected(db, all[0]!, 'invalid_field', 'evalDetail', T0 + 20 * DAY);
    expect(pruneDelivered(db, { keepDays: 0, nowMs: T0 + 20 * DAY })).toEqual({ deleted: 0, anchor: null });
    expect(ids(db)).toEqual(all);
    expect(getMeta(db, 'retention_anchor')).toBeUndefined();
    db.close();
  });

  it('can prune everything, prune again later, and keep appending and verifying', () => {
    const db = tenDays();
    markDelivered(db, ids(db), T0 + 30 * DAY);
    expect(pruneDelivered(db, { keepDays: 1, nowMs: T0 + 30 * DAY }).deleted).toBe(10);
    expect(verifyChain(db)).toEqual({ ok: true, count: 0 });
    const next = appendBatches(db, [2, 1], 10, T0 + 31 * DAY);
    expect(next).toBe(13);
    expect(verifyChain(db)).toEqual({ ok: true, count: 3 });
    const rows = db.prepare('SELECT device_seq AS s FROM records ORDER BY device_seq').all() as Array<{
      s: number;
    }>;
    expect(rows.map((r) => r.s)).toEqual([11, 12, 13]);
    markDelivered(db, ids(db).slice(0, 2), T0 + 60 * DAY);
    expect(pruneDelivered(db, { keepDays: 1, nowMs: T0 + 60 * DAY }).deleted).toBe(2);
    expect(JSON.parse(getMeta(db, 'retention_anchor')!)).toMatchObject({ deviceSeq: 12 });
    expect(verifyChain(db)).toEqual({ ok: true, count: 1 });
    db.close();
  });

  it('a record deleted after pruning is still caught (the anchor pins where the chain resumes)', () => {
    const db = tenDays();
    markDelivered(db, ids(db), T0 + 10 * DAY);
    pruneDelivered(db, { keepDays: 5, nowMs: T0 + 10 * DAY });
    const first = (db.prepare('SELECT MIN(device_seq) AS s FROM records').get() as { s: number }).s;
    db.prepare('DELETE FROM records WHERE device_seq = ?').run(first);
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: first, problem: expect.stringMatching(/^seq_gap/) },
    });
    db.close();
  });

  it('refuses to prune a chain that does not verify, and deletes nothing', () => {
    const db = tenDays();
    markDelivered(db, ids(db), T0 + 20 * DAY);
    db.prepare(
      `UPDATE records SET body = record_pack(replace(record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status), '"satisfaction":1', '"satisfaction":5')), satisfaction = 5 WHERE device_seq = 2`,
    ).run();
    expect(() => pruneDelivered(db, { keepDays: 1, nowMs: T0 + 20 * DAY })).toThrow(ChainBrokenError);
    expect(ids(db)).toHaveLength(10);
    expect(getMeta(db, 'retention_anchor')).toBeUndefined();
    db.close();
  });

  it('takes a record’s age in true time: a clock far behind (no clock battery) does not make new records old', () => {
    const db = openDatabase(join(tmp.dir, `r${n++}.db`));
    const YEARS = Date.UTC(2026, 5, 1) - Date.UTC(1970, 0, 1); // the pad clock started at 1970
    const rec = (i: number, trueMs: number, o: Partial<UnsealedRecord> = {}): UnsealedRecord => ({
      ...variedRecord(i, trueMs - YEARS),
      clockOffsetMs: YEARS,
      ...o,
    });
    const at = (d: number) => T0 + d * DAY;
    // days 0 and 1 old; day 2 made before the platform confirmed the clock (true time unknown);
    // day 3 old; day 4 unknown; day 9 recent.
    const recs = [
      rec(0, at(0)),
      rec(1, at(1)),
      rec(2, at(2), { clockUnsynced: true, clockOffsetMs: 0 }),
      rec(3, at(3)),
      rec(4, at(4), { clockUnsynced: true, clockOffsetMs: 0 }),
      rec(5, at(9)),
    ];
    for (const r of recs) db.transaction(() => appendRecords(db, [r], r.deviceTimeMs))();
    markDelivered(db, ids(db), at(10));
    // Pad-clock times are all 56 years old; true times: days 0–3 are older than 5 days at day 10.
    const res = pruneDelivered(db, { keepDays: 5, nowMs: at(10) });
    // Up to day 3; day 2, of unknown time, goes with it (sealed before it); day 4 stays, unknown.
    expect(res.deleted).toBe(4);
    expect(res.anchor?.deviceSeq).toBe(4);
    expect(verifyChain(db)).toEqual({ ok: true, count: 2 });
    // Later, with nothing known after day 4 but day 9: day 4 goes with day 9 once that is old.
    expect(pruneDelivered(db, { keepDays: 5, nowMs: at(12) }).deleted).toBe(0);
    // A run of unknown age longer than the scan looks past stays: here one record is too many.
    const db2 = openDatabase(join(tmp.dir, `r${n++}.db`));
    for (const r of recs.slice(2, 4)) db2.transaction(() => appendRecords(db2, [r], r.deviceTimeMs))();
    markDelivered(db2, ids(db2), at(10));
    expect(pruneDelivered(db2, { keepDays: 5, nowMs: at(10), unknownAgeRun: 0 }).deleted).toBe(0);
    expect(pruneDelivered(db2, { keepDays: 5, nowMs: at(10), unknownAgeRun: 1 }).deleted).toBe(2);
    db2.close();
    expect(pruneDelivered(db, { keepDays: 5, nowMs: at(15) }).deleted).toBe(2);
    db.close();
  });

  it('never takes a record as older than its pad clock says: an offset without the flag may be stale (records of 1.0)', () => {
    // Before decision 195 no record carried `clockUnsynced`: one sealed after a start, before the
    // platform answered, carries the offset stored by an earlier start. Here the pad's clock had run
    // two years ahead (offset −2 years), was then set right, and these records were sealed before
    // the platform answered again: their pad clock is right, their offset two years stale.
    const db = openDatabase(join(tmp.dir, `r${n++}.db`));
    const STALE = -2 * 365 * DAY;
    const at = (d: number) => T0 + d * DAY;
    for (let i = 0; i < 3; i++) {
      const r = { ...variedRecord(i, at(i)), clockOffsetMs: STALE };
      db.transaction(() => appendRecords(db, [r], r.deviceTimeMs))();
    }
    markDelivered(db, ids(db), at(3));
    // Three days old at most: kept for a year, as the pad clock's age (the rule before 227) keeps them.
    expect(pruneDelivered(db, { keepDays: 365, nowMs: at(3) })).toEqual({ deleted: 0, anchor: null });
    expect(pruneDelivered(db, { keepDays: 365, nowMs: at(367) }).deleted).toBe(2);
    db.close();
  });

  it('a run of unknown age longer than one scan looks past is looked past over later runs, not kept for good', () => {
    // A month offline with the pad switched off every night: every record unconfirmed (decision 196's
    // 50,000 is more than UNKNOWN_AGE_RUN), then a year of confirmed records after it.
    const db = openDatabase(join(tmp.dir, `r${n++}.db`));
    const at = (d: number) => T0 + d * DAY;
    const recs: UnsealedRecord[] = [];
    for (let i = 0; i < 5; i++) recs.push({ ...variedRecord(i, at(i)), clockUnsynced: true });
    recs.push(variedRecord(5, at(5)), variedRecord(6, at(20)));
    for (const r of recs) db.transaction(() => appendRecords(db, [r], r.deviceTimeMs))();
    markDelivered(db, ids(db), at(21));
    const prune = () => pruneDelivered(db, { keepDays: 10, nowMs: at(21), unknownAgeRun: 2 });
    // The first run stops at the third of the five and keeps them; the next goes on after it and
    // reaches day 5, old: all six go.
    expect(prune().deleted).toBe(0);
    expect(prune()).toMatchObject({ deleted: 6, anchor: { deviceSeq: 6 } });
    expect(verifyChain(db)).toEqual({ ok: true, count: 1 });
    db.close();
  });

  it('a resumed scan still stops at a record not delivered below where it resumes', () => {
    const db = openDatabase(join(tmp.dir, `r${n++}.db`));
    const at = (d: number) => T0 + d * DAY;
    const recs: UnsealedRecord[] = [];
    for (let i = 0; i < 4; i++) recs.push({ ...variedRecord(i, at(i)), clockUnsynced: true });
    recs.push(variedRecord(4, at(5)));
    for (const r of recs) db.transaction(() => appendRecords(db, [r], r.deviceTimeMs))();
    const all = ids(db);
    markDelivered(db, all, at(21));
    const prune = () => pruneDelivered(db, { keepDays: 10, nowMs: at(21), unknownAgeRun: 1 });
    expect(prune().deleted).toBe(0); // looked past seq 1–2
    // seq 1 waits for the platform again (a handover or salvage may bring such a row back)
    db.prepare(
      `INSERT INTO outbox (kind, ref, device_seq, urgent, created_ms) VALUES ('record', ?, 1, 0, ?)`,
    ).run(all[0]!, at(21));
    for (let i = 0; i < 4; i++) expect(prune().deleted).toBe(0);
    expect(ids(db)).toEqual(all);
    db.close();
  });

  it('rejects a negative keepDays', () => {
    const db = tenDays();
    expect(() => pruneDelivered(db, { keepDays: -1, nowMs: T0 })).toThrow(RangeError);
    db.close();
  });
});
