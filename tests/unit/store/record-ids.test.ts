import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  caseOfRecordId,
  isEvaluationId,
  recordIdOf,
  recordIdsOfEvaluationSql,
} from '../../../src/store/record-ids.js';

describe("an evaluation's record ids read backwards", () => {
  it('caseOfRecordId inverts recordIdOf and refuses ids of other evaluations', () => {
    for (const [idx, grouped] of [
      [0, false],
      [0, true],
      [9, true],
      [98, true],
    ] as const)
      expect(caseOfRecordId('E1', recordIdOf('E1', idx, grouped))).toEqual({ idx, grouped });
    for (const other of ['E12', 'E1-0', 'E1-100', 'E1-x', 'E1.', 'E', 'E2-1'])
      expect(caseOfRecordId('E1', other), other).toBeNull();
  });

  it('a record id with its case number is not an evaluation id', () => {
    for (const id of ['E1', 'EMUNGJSW05D69FEEB8295', recordIdOf('E1', 0, false)])
      expect(isEvaluationId(id), id).toBe(true);
    for (const id of ['', recordIdOf('E1', 0, true), 'E1-12', 'E1-', '-1'])
      expect(isEvaluationId(id), id).toBe(false);
  });

  it("the SQL range holds the evaluation's ids and no other evaluation's", () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE r (record_id TEXT NOT NULL UNIQUE)');
    const ids = ['E1', 'E1-1', 'E1-2', 'E1-10', 'E10', 'E10-1', 'E1x', 'E0-1', 'E2'];
    const insert = db.prepare('INSERT INTO r VALUES (?)');
    for (const id of ids) insert.run(id);
    const sql = `SELECT record_id FROM r WHERE ${recordIdsOfEvaluationSql('record_id', '?')} ORDER BY record_id`;
    expect(db.prepare(sql).pluck().all('E1', 'E1', 'E1')).toEqual(['E1', 'E1-1', 'E1-10', 'E1-2']);
    db.close();
  });
});
