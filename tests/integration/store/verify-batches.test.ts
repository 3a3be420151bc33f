import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../../../src/domain/canonical.js';
import { walkChainRange } from '../../../src/store/chain-walk.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { hashBlob, packBody } from '../../../src/store/record-codec.js';
import { recordTextSql } from '../../../src/store/records.js';
import type { RowValues } from '../../../src/store/row-values.js';
import { verifyChainInParallel } from '../../../src/store/verify-parallel.js';
import { verifyChain, walkEnv, type VerifyResult } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches } from './chain-fixture.js';

/**
 * The fast walk reads records 512 at a time (chain-walk.ts), and the workers walk many ranges each,
 * taking the next one when done (verify-workers.ts). Damage on either side of a batch's edge, in
 * the middle of a batch, or in a range that is not a worker's first must give the careful walk's
 * answer — the same problem at the same deviceSeq — from every walk.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 11, 4, 3, 0, 0);
/** Three batches of the fast walk: 1–512, 513–1024, 1025–1100. */
const RECORDS = 1100;
let base = '';
let n = 0;

beforeAll(() => {
  base = join(tmp.dir, 'base.db');
  const db = openDatabase(base);
  appendBatches(
    db,
    Array.from({ length: RECORDS / 20 }, () => 20),
    0,
    T0,
    1000,
  );
  db.close();
});

function chain(): Db {
  const file = join(tmp.dir, `b${n++}.db`);
  copyFileSync(base, file);
  return openDatabase(file);
}

function stored(db: Db, seq: number): { text: string; row: RowValues } {
  const r = db
    .prepare(
      `SELECT ${recordTextSql('')} AS text, device_seq, created_ms, record_id, satisfaction, staff_id, status
       FROM records WHERE device_seq = ?`,
    )
    .get(seq) as {
    text: string;
    device_seq: number;
    created_ms: number;
    record_id: string;
    satisfaction: number | null;
    staff_id: string;
    status: string;
  };
  return {
    text: r.text,
    row: [r.device_seq, r.created_ms, r.record_id, r.satisfaction, r.staff_id, r.status],
  };
}

/** Another staff name in a record's text, packed without its row's values as the pad packs it. */
function edit(db: Db, seq: number, rehash: boolean): void {
  const { text, row } = stored(db, seq);
  const edited = canonicalJson({ ...(JSON.parse(text) as Record<string, unknown>), staffName: '别人' });
  const body = packBody(edited, row);
  expect(body[0]).toBe(2);
  db.prepare('UPDATE records SET body = ? WHERE device_seq = ?').run(body, seq);
  if (rehash)
    db.prepare('UPDATE records SET hash = ? WHERE device_seq = ?').run(hashBlob(sha256Hex(edited)), seq);
}

async function walks(
  db: Db,
): Promise<{ careful: VerifyResult; fastAt: number | null; workers: VerifyResult; how: string[] }> {
  const fast = walkChainRange(walkEnv(), db, {
    readAbove: -1,
    prevSeq: 0,
    prevHash: GENESIS_HASH,
    throughSeq: Number.MAX_SAFE_INTEGER,
  });
  const how: string[] = [];
  // Two workers, eleven ranges of 100: each worker walks several, in whatever order they finish.
  const workers = await verifyChainInParallel(db, db.name, {
    workers: 2,
    ranges: 11,
    minRecords: 0,
    onAnswer: (h) => how.push(h),
  });
  return { careful: verifyChain(db), fastAt: fast.clean ? null : fast.atSeq, workers, how };
}

describe('verification in batches and in many ranges a worker', () => {
  it('a sound chain longer than two batches is clean in every walk, every record counted', async () => {
    const db = chain();
    const r = await walks(db);
    expect(r.careful).toEqual({ ok: true, count: RECORDS });
    expect(r.fastAt).toBeNull();
    expect(r.workers).toEqual(r.careful);
    expect(r.how).toEqual(['workers']);
    // a range the size of a batch, and one ending at a batch's last record
    for (const ranges of [1, 2]) {
      const db2 = chain();
      db2.prepare('DELETE FROM records WHERE device_seq > 1024').run();
      db2.prepare(`UPDATE meta SET value = '1024' WHERE key = 'last_device_seq'`).run();
      db2
        .prepare(
          `UPDATE meta SET value = (SELECT lower(hex(hash)) FROM records WHERE device_seq = 1024) WHERE key = 'chain_head'`,
        )
        .run();
      expect(await verifyChainInParallel(db2, db2.name, { workers: 2, ranges, minRecords: 0 })).toEqual({
        ok: true,
        count: 1024,
      });
      expect(verifyChain(db2)).toEqual({ ok: true, count: 1024 });
      db2.close();
    }
    db.close();
  });

  it('damage at each side of a batch’s edge and in the middle of one: the same problem at the same record, every walk', async () => {
    const cases: Array<[string, (db: Db) => unknown, number, RegExp]> = [
      ['edited record, middle of the second batch', (db) => edit(db, 600, false), 600, /^hash_mismatch/],
      ['edited record, last of the first batch', (db) => edit(db, 512, false), 512, /^hash_mismatch/],
      ['edited record, first of the second batch', (db) => edit(db, 513, false), 513, /^hash_mismatch/],
      ['edited record, first of the third batch', (db) => edit(db, 1025, false), 1025, /^hash_mismatch/],
      // re-hashed in place: the record is sound, the next one no longer links to it
      ['re-hashed edit, last of a batch', (db) => edit(db, 512, true), 513, /^prev_hash_mismatch/],
      ['re-hashed edit, middle of a batch', (db) => edit(db, 700, true), 701, /^prev_hash_mismatch/],
      [
        'edited column, middle of the third batch',
        (db) => db.prepare(`UPDATE records SET staff_id = 'S9' WHERE device_seq = 1050`).run(),
        1050,
        /^hash_mismatch/,
      ],
      [
        'missing first record of a batch',
        (db) => db.prepare('DELETE FROM records WHERE device_seq = 513').run(),
        513,
        /^seq_gap: records 513\.\.513/,
      ],
      [
        'missing last record of a batch',
        (db) => db.prepare('DELETE FROM records WHERE device_seq = 512').run(),
        512,
        /^seq_gap: records 512\.\.512/,
      ],
      [
        'a whole batch missing',
        (db) => db.prepare('DELETE FROM records WHERE device_seq BETWEEN 513 AND 1024').run(),
        513,
        /^seq_gap: records 513\.\.1024/,
      ],
      [
        'a body that is not a record, middle of a batch',
        (db) => db.prepare('UPDATE records SET body = 42 WHERE device_seq = 800').run(),
        800,
        /^body_unreadable/,
      ],
    ];
    for (const [what, damage, at, problem] of cases) {
      const db = chain();
      damage(db);
      const r = await walks(db);
      expect(r.careful, what).toMatchObject({
        ok: false,
        firstBroken: { deviceSeq: at, problem: expect.stringMatching(problem) },
      });
      expect(r.fastAt, what).toBe(at);
      expect(r.workers, what).toEqual(r.careful);
      expect(r.how, what).toEqual(['this thread']);
      db.close();
    }
  });

  it('a missing last record is found past the last batch, by the workers’ walks as well', async () => {
    const db = chain();
    db.prepare('DELETE FROM records WHERE device_seq = ?').run(RECORDS);
    const r = await walks(db);
    expect(r.careful).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: RECORDS, problem: expect.stringMatching(/^missing_tail/) },
    });
    expect(r.fastAt).toBeNull();
    expect(r.workers).toEqual(r.careful);
    expect(r.how).toEqual(['workers']);
    db.close();
  });

  it('workers that cannot open the file are no answer: the walk on this thread gives it', async () => {
    const db = chain();
    const how: string[] = [];
    const r = await verifyChainInParallel(db, join(tmp.dir, 'no-such.db'), {
      workers: 2,
      ranges: 11,
      minRecords: 0,
      onAnswer: (h) => how.push(h),
    });
    expect(r).toEqual({ ok: true, count: RECORDS });
    expect(how).toEqual(['this thread']);
    db.close();
  });
});
