import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, sha256Hex } from '../../../src/domain/canonical.js';
import { walkChainRange } from '../../../src/store/chain-walk.js';
import { openDatabase, setMeta, type Db } from '../../../src/store/db.js';
import { BODY_CODEC, packBody, recordVersions } from '../../../src/store/record-codec.js';
import { appendRecords, readRecord, recordTextSql } from '../../../src/store/records.js';
import { elideRowValues, type RowValues } from '../../../src/store/row-values.js';
import { verifyChainInParallel } from '../../../src/store/verify-parallel.js';
import { verifyChain, walkEnv, type VerifyResult } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { variedRecord } from './chain-fixture.js';

/**
 * Decision 219 seen from verification: a body packed without its row's values is checked against
 * its row as a body packed whole is, by the fast walk (on this thread and in the workers) and by
 * the careful one alike, so that no column can say something else than the record it belongs to.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 11, 4, 2, 0, 0);
let n = 0;

/** Twelve records of every kind, each sealed at its own time as the pad seals them. */
function chain(): Db {
  const db = openDatabase(join(tmp.dir, `rv${n++}.db`));
  db.transaction(() => {
    for (let i = 0; i < 12; i++) appendRecords(db, [variedRecord(i, T0 + i * 60_000)], T0 + i * 60_000);
  })();
  return db;
}

function stored(db: Db, seq: number): { text: string; row: RowValues } {
  // read before any forgery (a body whose row does not fit reads as a marker)
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

/** A version-2 body packed by hand from a text with marks (what a forger would write). */
function handPacked(elided: string | Buffer): Buffer {
  const dictionary = recordVersions().find(([v]) => v === BODY_CODEC)?.[1] as Uint8Array;
  return Buffer.concat([Buffer.from([BODY_CODEC]), deflateRawSync(elided, { level: 9, dictionary })]);
}

/** The i-th mark (0-based) of an elided text replaced by `text`. */
function replaceMark(elided: string, i: number, text: string): string {
  const parts = elided.split('\u0001');
  return parts.slice(0, i + 1).join('\u0001') + text + parts.slice(i + 1).join('\u0001');
}

async function answers(
  db: Db,
): Promise<{ careful: VerifyResult; fastClean: boolean; workers: VerifyResult; how: string[] }> {
  const fast = walkChainRange(walkEnv(), db, {
    readAbove: -1,
    prevSeq: 0,
    prevHash: GENESIS_HASH,
    throughSeq: Number.MAX_SAFE_INTEGER,
  });
  const how: string[] = [];
  const workers = await verifyChainInParallel(db, db.name, {
    workers: 2,
    minRecords: 0,
    onAnswer: (h) => how.push(h),
  });
  return { careful: verifyChain(db), fastClean: fast.clean, workers, how };
}

/** Every walk refuses the chain, at `seq`, for `problem`; the database is closed. */
async function expectRefused(db: Db, seq: number, problem: string): Promise<void> {
  const r = await answers(db);
  expect(r.fastClean).toBe(false);
  expect(r.careful).toMatchObject({ ok: false, firstBroken: { deviceSeq: seq, problem } });
  expect(r.workers).toEqual(r.careful);
  db.close();
}

/** Every walk finds the chain clean, the workers' answer their own; the database is closed. */
async function expectClean(db: Db, count: number): Promise<void> {
  const r = await answers(db);
  expect(r.careful).toEqual({ ok: true, count });
  expect(r.fastClean).toBe(true);
  expect(r.workers).toEqual(r.careful);
  expect(r.how).toEqual(['workers']);
  db.close();
}

const MISFIT = "body_unreadable: the row's values do not fit the body's marks";

describe('verification of bodies packed without their row’s values', () => {
  it('every record of a sealed chain is packed so, and the chain is clean in every walk', async () => {
    const db = chain();
    const versions = db.prepare('SELECT DISTINCT hex(substr(body, 1, 1)) AS v FROM records').all();
    expect(versions).toEqual([{ v: '02' }]);
    expect(readRecord(db, 'ev0001')).toMatchObject({ satisfaction: 1, staffId: 'S1024', deviceSeq: 2 });
    await expectClean(db, 12);
  });

  it('a body packed by hand with its star kept in it, and the star column emptied: not a clean chain', async () => {
    const db = chain();
    const { text, row } = stored(db, 2); // a 1-star rating
    expect(row[3]).toBe(1);
    const elided = elideRowValues(text, row) as string;
    // the fourth mark is the star's: put it back into the body, and take it out of the row
    const forged = replaceMark(elided, 3, '"satisfaction":1');
    db.prepare('UPDATE records SET body = ?, satisfaction = NULL WHERE device_seq = 2').run(
      handPacked(forged),
    );
    await expectRefused(db, 2, MISFIT);
  });

  it('a seal time cut short in its column and the rest of its digits packed into the body: not a clean chain', async () => {
    const db = chain();
    const { text, row } = stored(db, 4);
    const created = String(row[1]);
    const elided = elideRowValues(text, row) as string;
    // the second mark is deviceTimeMs: the column keeps its first digits, the body the others
    const forged = replaceMark(elided, 1, '\u0001' + created.slice(4));
    db.prepare('UPDATE records SET body = ?, created_ms = ? WHERE device_seq = 4').run(
      handPacked(forged),
      Number(created.slice(0, 4)),
    );
    await expectRefused(db, 4, MISFIT);
  });

  it('a body that unpacks to bytes which are not UTF-8 is refused by both walks, whatever its hash', async () => {
    const db = chain();
    const { text, row } = stored(db, 12); // the last record: its hash is only the chain head's
    const elided = Buffer.from(elideRowValues(text, row) as string, 'utf8');
    const at = elided.indexOf('"windowNo":"') + '"windowNo":"'.length;
    const bad = Buffer.concat([elided.subarray(0, at), Buffer.from([0xff]), elided.subarray(at)]);
    const body = handPacked(bad);
    // the hash of the text those bytes read as, and the chain head moved to it
    const readAs = text.replace('"windowNo":"', '"windowNo":"\ufffd');
    const hash = sha256Hex(readAs);
    db.prepare('UPDATE records SET body = ?, hash = ? WHERE device_seq = 12').run(
      body,
      Buffer.from(hash, 'hex'),
    );
    setMeta(db, 'chain_head', hash);
    expect(stored(db, 12).text).toBe(readAs);
    await expectRefused(db, 12, 'body_unreadable: not UTF-8 text');
  });

  it('bodies packed whole and without their row’s values verify side by side', async () => {
    const db = chain();
    for (const seq of [3, 7]) {
      const { text } = stored(db, seq);
      db.prepare('UPDATE records SET body = ? WHERE device_seq = ?').run(packBody(text), seq);
    }
    const versions = db.prepare('SELECT hex(substr(body, 1, 1)) AS v FROM records ORDER BY device_seq').all();
    expect(versions.filter((v) => (v as { v: string }).v === '01')).toHaveLength(2);
    await expectClean(db, 12);
  });

  it('a value SQLite would not keep as given (a lone surrogate) is packed whole', () => {
    const db = chain();
    const { text, row } = stored(db, 1);
    const odd = text.replace('"S1024"', '"S\\ud800"');
    const oddRow: RowValues = [row[0], row[1], row[2], row[3], 'S\ud800', row[5]];
    expect(packBody(odd, oddRow)[0]).toBe(1);
    expect(packBody(text, row)[0]).toBe(BODY_CODEC);
    db.close();
  });
});
