import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, setMeta, type Db } from '../../../src/store/db.js';
import { markDelivered } from '../../../src/store/outbox.js';
import { packBody } from '../../../src/store/record-codec.js';
import { pruneDelivered } from '../../../src/store/retention.js';
import { verifyChainInParallel } from '../../../src/store/verify-parallel.js';
import { verifyChain, type VerifyResult } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches } from './chain-fixture.js';

/**
 * verifyChainInParallel (decision 205) must give verifyChain's answer, word for word, on a sound
 * chain and on every kind of damage, wherever it falls relative to the ranges the workers walk.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 10, 2, 1, 0, 0);
const RECORDS = 600; // three workers, 24 ranges of 25 (1–25, …, 176–200, 201–225, …): 8 each on average
let n = 0;

function chain(): Db {
  const db = openDatabase(join(tmp.dir, `p${n++}.db`));
  appendBatches(
    db,
    Array.from({ length: RECORDS / 20 }, () => 20),
    0,
    T0,
    1000,
  );
  return db;
}

async function both(db: Db): Promise<{ parallel: VerifyResult; one: VerifyResult; how: string[] }> {
  const how: string[] = [];
  const parallel = await verifyChainInParallel(db, db.name, {
    workers: 3,
    ranges: 24,
    minRecords: 0,
    onAnswer: (h) => how.push(h),
  });
  return { parallel, one: verifyChain(db), how };
}

function text(db: Db, seq: number): string {
  return (
    db
      .prepare(
        'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS t FROM records WHERE device_seq = ?',
      )
      .get(seq) as { t: string }
  ).t;
}

describe('verifyChainInParallel', () => {
  it('a sound chain is answered by the workers, with every record counted', async () => {
    const db = chain();
    const r = await both(db);
    expect(r.parallel).toEqual({ ok: true, count: RECORDS });
    expect(r.one).toEqual(r.parallel);
    expect(r.how).toEqual(['workers']);
    db.close();
  });

  it('damage anywhere gives verifyChain’s own answer: edited bodies, a missing record at each side of a range’s edge, meta out of step', async () => {
    const edit = (db: Db, seq: number) =>
      db
        .prepare('UPDATE records SET body = ? WHERE device_seq = ?')
        .run(packBody(text(db, seq).replace('"windowNo":"12"', '"windowNo":"13"')), seq);
    const drop = (db: Db, seq: number) => db.prepare('DELETE FROM records WHERE device_seq = ?').run(seq);
    // The third column: who answers. Damage to a record sends the answer to the careful walk;
    // damage only the chain's end shows is answered from the workers' walks.
    const damages: Array<[string, (db: Db) => unknown, 'workers' | 'this thread']> = [
      ['edited body in the second range', (db) => edit(db, 300), 'this thread'],
      ['edited body, last of a range', (db) => edit(db, 200), 'this thread'],
      ['missing last record of a range', (db) => drop(db, 200), 'this thread'],
      ['missing first record of a range', (db) => drop(db, 201), 'this thread'],
      ['missing last record', (db) => drop(db, 600), 'workers'],
      [
        'stored hash replaced at a range edge',
        (db) =>
          db
            .prepare(
              'UPDATE records SET hash = (SELECT hash FROM records WHERE device_seq = 5) WHERE device_seq = 400',
            )
            .run(),
        'this thread',
      ],
      [
        'indexed column disagrees',
        (db) => db.prepare(`UPDATE records SET staff_id = 'S9' WHERE device_seq = 450`).run(),
        'this thread',
      ],
      [
        'a body that is not a record',
        (db) => db.prepare('UPDATE records SET body = 42 WHERE device_seq = 250').run(),
        'this thread',
      ],
      ['meta behind the records', (db) => setMeta(db, 'last_device_seq', '599'), 'workers'],
      ['meta ahead of the records', (db) => setMeta(db, 'last_device_seq', '601'), 'workers'],
      ['chain head not the last record', (db) => setMeta(db, 'chain_head', 'f'.repeat(64)), 'workers'],
      ['meta not a number', (db) => setMeta(db, 'last_device_seq', 'x'), 'this thread'],
      [
        'meta not a number, and a record missing',
        (db) => {
          setMeta(db, 'last_device_seq', '600abc');
          drop(db, 300);
        },
        'this thread',
      ],
    ];
    for (const [what, damage, answeredBy] of damages) {
      const db = chain();
      damage(db);
      const r = await both(db);
      expect(r.one.ok, what).toBe(false);
      expect(r.parallel, what).toEqual(r.one);
      expect(r.how, what).toEqual([answeredBy]);
      db.close();
    }
  });

  it('a text body written by hand, and a chain that retention cut, verify the same both ways', async () => {
    const db = chain();
    db.prepare(
      'UPDATE records SET body = record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status), hash = record_hash(hash) WHERE device_seq = 333',
    ).run();
    const ids = (
      db.prepare('SELECT record_id AS id FROM records WHERE device_seq <= 150').all() as Array<{ id: string }>
    ).map((r) => r.id);
    markDelivered(db, ids, T0 + RECORDS * 1000);
    pruneDelivered(db, { keepDays: 0, nowMs: T0 + 10 * 86_400_000 });
    const r = await both(db);
    expect(r.one).toEqual({ ok: true, count: RECORDS - 150 });
    expect(r.parallel).toEqual(r.one);
    expect(r.how).toEqual(['workers']);
    db.close();
  });

  it('records a pad seals while the workers walk are checked, not taken for a missing tail', async () => {
    const db = chain();
    // The pad, on its own connection, seals 7 more ratings while `npm run verify` runs.
    const pad = openDatabase(db.name);
    const how: string[] = [];
    const r = await verifyChainInParallel(db, db.name, {
      workers: 3,
      ranges: 24,
      minRecords: 0,
      onAnswer: (h) => how.push(h),
      onWalked: () => appendBatches(pad, [4, 3], RECORDS, T0, 1000),
    });
    expect(r).toEqual({ ok: true, count: RECORDS + 7 });
    expect(how).toEqual(['workers']);
    // And on one thread, in one snapshot: the records sealed after the walk are not in it.
    expect(verifyChain(db, { onWalked: () => appendBatches(pad, [2], RECORDS + 7, T0, 1000) })).toEqual({
      ok: true,
      count: RECORDS + 7,
    });
    expect(verifyChain(db)).toEqual({ ok: true, count: RECORDS + 9 });
    pad.close();
    db.close();
  });

  it('a short chain is walked on this thread', async () => {
    const db = chain();
    const how: string[] = [];
    expect(await verifyChainInParallel(db, db.name, { workers: 2, onAnswer: (h) => how.push(h) })).toEqual({
      ok: true,
      count: RECORDS,
    });
    expect(how).toEqual(['this thread']);
    db.close();
  });
});
