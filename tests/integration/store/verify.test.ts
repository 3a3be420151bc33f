import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, recordHash } from '../../../src/domain/canonical.js';
import { getMeta, openDatabase, setMeta, type Db } from '../../../src/store/db.js';
import { recordTextSql } from '../../../src/store/records.js';
import { verifyChain } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches } from './chain-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 9, 8, 1, 0, 0);
let n = 0;

function fresh(records = 12): Db {
  const db = openDatabase(join(tmp.dir, `v${n++}.db`));
  appendBatches(db, [1, 3, 1, 2, 1, 1, 3].slice(0, records), 0, T0);
  return db;
}

function body(db: Db, seq: number): Record<string, unknown> {
  return JSON.parse(
    (
      db
        .prepare(
          'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body FROM records WHERE device_seq = ?',
        )
        .get(seq) as {
        body: string;
      }
    ).body,
  ) as Record<string, unknown>;
}
/** Writes a record as the pad stores it: the canonical JSON its hash covers, without `hash`. */
function setBody(db: Db, seq: number, b: Record<string, unknown>): void {
  const { hash: _hash, ...hashed } = b;
  db.prepare('UPDATE records SET body = ? WHERE device_seq = ?').run(canonicalJson(hashed), seq);
}

describe('verifyChain', () => {
  it('an empty database verifies', () => {
    const db = openDatabase(join(tmp.dir, 'empty.db'));
    expect(verifyChain(db)).toEqual({ ok: true, count: 0 });
    db.close();
  });

  it('records written by appendRecords verify', () => {
    const db = fresh();
    expect(verifyChain(db)).toEqual({ ok: true, count: 12 });
    db.close();
  });

  it('works on a read-only connection (the CLI opens it so)', () => {
    const db = fresh();
    const file = db.name;
    db.close();
    const ro = openDatabase(file, { readonly: true });
    expect(verifyChain(ro)).toEqual({ ok: true, count: 12 });
    ro.close();
  });

  it('names the first broken record for an edited body', () => {
    const db = fresh();
    const b = body(db, 5);
    b.satisfaction = 5;
    b.writingEvaluation = '很好';
    setBody(db, 5, b);
    const r = verifyChain(db);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.firstBroken).toMatchObject({
        deviceSeq: 5,
        recordId: 'ev0004',
        problem: expect.stringMatching(/^hash_mismatch/),
      });
    db.close();
  });

  it('an edit re-hashed in place breaks the link to the next record', () => {
    const db = fresh();
    const b = body(db, 3);
    b.satisfaction = 1;
    b.hash = recordHash(b);
    setBody(db, 3, b);
    db.prepare('UPDATE records SET hash = ?, satisfaction = 1 WHERE device_seq = 3').run(b.hash);
    const r = verifyChain(db);
    expect(r.ok || r.firstBroken).toMatchObject({
      deviceSeq: 4,
      problem: expect.stringMatching(/^prev_hash_mismatch/),
    });
    db.close();
  });

  it('an edit re-hashed on the last record disagrees with the chain head in meta', () => {
    const db = fresh();
    const b = body(db, 12);
    b.staffName = '别人';
    b.hash = recordHash(b);
    setBody(db, 12, b);
    db.prepare('UPDATE records SET hash = ? WHERE device_seq = 12').run(b.hash);
    const r = verifyChain(db);
    expect(r.ok || r.firstBroken.problem).toMatch(/^chain_head_mismatch/);
    db.close();
  });

  it('catches an indexed column that disagrees with a body packed whole', () => {
    const db = fresh();
    // packed whole (version 1, as before decision 219): the body keeps its own star
    db.prepare(`UPDATE records SET body = record_pack(${recordTextSql('')}) WHERE device_seq = 2`).run();
    expect(verifyChain(db)).toEqual({ ok: true, count: 12 });
    db.prepare('UPDATE records SET satisfaction = 5 WHERE device_seq = 2').run();
    const r = verifyChain(db);
    expect(r.ok || r.firstBroken).toMatchObject({
      deviceSeq: 2,
      problem: expect.stringMatching(/^column_mismatch: satisfaction/),
    });
    db.close();
  });

  it('catches an edited column of a body packed without its row’s values: the record no longer hashes', () => {
    for (const [column, value] of [
      ['satisfaction', 5],
      ['status', 'unrated'],
      ['staff_id', 'S9'],
      ['created_ms', T0 + 1],
      ['record_id', 'ev9999'],
    ] as const) {
      const db = fresh();
      expect(
        (
          db.prepare('SELECT hex(substr(body, 1, 1)) AS v FROM records WHERE device_seq = 2').get() as {
            v: string;
          }
        ).v,
      ).toBe('02');
      db.prepare(`UPDATE records SET ${column} = ? WHERE device_seq = 2`).run(value);
      const r = verifyChain(db);
      expect(r.ok || r.firstBroken, column).toMatchObject({
        deviceSeq: 2,
        problem: expect.stringMatching(/^hash_mismatch: .*an edited body or column/),
      });
      db.close();
    }
  });

  it('catches a deleted record in the middle, at the start and at the end', () => {
    for (const [seq, expectProblem, at] of [
      [6, /^seq_gap/, 6],
      [1, /^seq_gap/, 1],
      [12, /^missing_tail/, 12],
    ] as const) {
      const db = fresh();
      db.prepare('DELETE FROM records WHERE device_seq = ?').run(seq);
      const r = verifyChain(db);
      expect(r.ok || r.firstBroken).toMatchObject({
        deviceSeq: at,
        problem: expect.stringMatching(expectProblem),
      });
      db.close();
    }
  });

  it('catches meta that does not match the records', () => {
    const db = fresh();
    setMeta(db, 'last_device_seq', '11');
    expect(verifyChain(db).ok).toBe(false);
    setMeta(db, 'last_device_seq', '12');
    const head = getMeta(db, 'chain_head')!;
    setMeta(
      db,
      'chain_head',
      head.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    expect(verifyChain(db).ok).toBe(false);
    setMeta(db, 'chain_head', head);
    expect(verifyChain(db).ok).toBe(true);
    setMeta(db, 'retention_anchor', 'nonsense');
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { problem: expect.stringMatching(/^bad_anchor/) },
    });
    db.close();
  });

  it('catches a body that is no longer a record', () => {
    const db = fresh();
    db.prepare(`UPDATE records SET body = '{"evaluationId":' WHERE device_seq = 4`).run();
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: 4, problem: 'body_unparseable' },
    });
    db.close();
    const db2 = fresh();
    const b = body(db2, 4);
    b.citizenPhone = '13800000000';
    setBody(db2, 4, b);
    expect(verifyChain(db2)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: 4, problem: expect.stringMatching(/^body_invalid/) },
    });
    db2.close();
  });
});
