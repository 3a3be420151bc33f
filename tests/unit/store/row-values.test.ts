import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH } from '../../../src/domain/canonical.js';
import type { UnsealedRecord } from '../../../src/domain/record.js';
import {
  BODY_CODEC,
  packBody,
  recordVersions,
  unpackBody,
  UnreadableBodyError,
} from '../../../src/store/record-codec.js';
import {
  elideRowValues,
  restoreRowValues,
  restoreRowValuesText,
  type RowValues,
} from '../../../src/store/row-values.js';
import { makeRecord, variedRecord } from '../../integration/store/chain-fixture.js';

/**
 * Decision 219: a body packed since version 2 leaves out the six values its row keeps as columns
 * and gets them back, byte for byte, from the row.
 */

const T0 = Date.UTC(2026, 11, 4, 1, 0, 0);

/** A record sealed as appendRecords seals it: its canonical text and its row's values. */
function sealed(rec: UnsealedRecord, seq: number): { text: string; row: RowValues } {
  const text = canonicalJson({ ...rec, deviceSeq: seq, prevHash: GENESIS_HASH });
  return {
    text,
    row: [seq, rec.deviceTimeMs, rec.evaluationId, rec.satisfaction ?? null, rec.staffId, rec.status],
  };
}

/** Every kind of record, and values meant to fool a search for a key. */
const records: UnsealedRecord[] = [
  ...Array.from({ length: 10 }, (_, i) => variedRecord(i, T0 + i * 1000)),
  makeRecord('tricky-1', T0, {
    satisfaction: 1,
    evalDetail: '213',
    writingEvaluation: '他说,"status":"rated","staffId":"S1" 还有 "satisfaction":5}',
  }),
  makeRecord('tricky-2', T0, { staffId: 'S"1\\2,"x":', staffName: '"引号"' }),
  makeRecord('tricky-3', T0, {
    status: 'cancelled',
    satisfaction: undefined,
    cancelReason: 'other',
    cancelledBy: 'S1',
  }),
  makeRecord('E1', T0, { status: 'unrated', satisfaction: undefined, abandonedSatisfaction: 2 }),
];

function raw(body: Buffer): string {
  const [, dictionary] = recordVersions().find(([v]) => v === body[0]) ?? [];
  return inflateRawSync(body.subarray(1), { dictionary: dictionary as Uint8Array }).toString('utf8');
}

describe('a record packed without its row’s values', () => {
  it('gets them back byte for byte, for every kind of record and values that look like keys', () => {
    records.forEach((rec, i) => {
      const { text, row } = sealed(rec, i + 1);
      const elided = elideRowValues(text, row);
      expect(elided, rec.evaluationId).not.toBeNull();
      for (const key of ['deviceSeq', 'deviceTimeMs', 'evaluationId', 'satisfaction', 'staffId', 'status'])
        expect(elided, key).not.toContain(`"${key}":`);
      // one mark for each value the row has
      expect((elided as string).split('\u0001').length - 1).toBe(row.filter((v) => v !== null).length);
      expect(restoreRowValuesText(elided as string, row)).toBe(text);
      const body = packBody(text, row);
      expect(body[0]).toBe(BODY_CODEC);
      expect(unpackBody(body, row)).toBe(text);
    });
  });

  it('keeps each value once: the packed text has none of the row’s values, and is smaller than the whole text packed', () => {
    let saved = 0;
    for (const [i, rec] of records.entries()) {
      const { text, row } = sealed(rec, 1000 + i);
      const body = packBody(text, row);
      const inside = raw(body);
      expect(inside).not.toContain(`"${rec.evaluationId}"`);
      expect(inside).not.toContain('"deviceSeq"');
      expect(inside).not.toContain(String(rec.deviceTimeMs));
      saved += packBody(text).length - body.length;
    }
    // the six values and their keys: tens of bytes a record, not a few
    expect(saved / records.length).toBeGreaterThan(20);
  });

  it('a row that does not agree with its text is packed whole, and reads back as it is', () => {
    const { text, row } = sealed(records[1] as UnsealedRecord, 7);
    const disagreeing: RowValues[] = [
      [8, row[1], row[2], row[3], row[4], row[5]],
      [7, (row[1] as number) + 1, row[2], row[3], row[4], row[5]],
      [7, row[1], row[2], 2, row[4], row[5]],
      [7, row[1], row[2], null, row[4], row[5]],
      [7, row[1], row[2], row[3], 'S9', row[5]],
      [7, row[1], row[2], row[3], row[4], 'unrated'],
    ];
    for (const other of disagreeing) {
      expect(elideRowValues(text, other)).toBeNull();
      const body = packBody(text, other);
      expect(body[0]).toBe(1);
      expect(unpackBody(body)).toBe(text);
      expect(unpackBody(body, other)).toBe(text);
    }
    // a field the row has that the text lacks
    const unrated = sealed(records[2] as UnsealedRecord, 3);
    expect(
      elideRowValues(unrated.text, [3, unrated.row[1], unrated.row[2], 4, unrated.row[4], 'unrated']),
    ).toBeNull();
  });

  it('cannot be read without its row, and another row gives another text', () => {
    const { text, row } = sealed(records[0] as UnsealedRecord, 5);
    const body = packBody(text, row);
    expect(() => unpackBody(body)).toThrow(UnreadableBodyError);
    expect(() => unpackBody(body)).toThrow(/row's values/);
    const edited = unpackBody(body, [5, row[1], row[2], 1, row[4], row[5]]);
    expect(edited).not.toBe(text);
    expect(JSON.parse(edited)).toMatchObject({ satisfaction: 1 });
  });

  it('puts the values at the marks, in order, only where the row fits the body', () => {
    const row: RowValues = [1, 2, 'a', 3, 'b"c', 'rated'];
    const M = '\u0001';
    const all = `${M},${M},${M},${M},${M},${M}`;
    expect(restoreRowValuesText(`{${all}}`, row)).toBe(
      '{"deviceSeq":1,"deviceTimeMs":2,"evaluationId":"a","satisfaction":3,"staffId":"b\\"c","status":"rated"}',
    );
    // no star: five marks
    const unrated: RowValues = [7, 8, 'E1', null, 'S1', 'unrated'];
    expect(restoreRowValuesText(`{"a":0,${M},${M},"m":[1],${M},${M},${M}}`, unrated)).toBe(
      '{"a":0,"deviceSeq":7,"deviceTimeMs":8,"m":[1],"evaluationId":"E1","staffId":"S1","status":"unrated"}',
    );
    const five = `${M},${M},${M},${M},${M}`;
    const misfits: Array<[string, RowValues]> = [
      [`{${five},${M}}`, unrated], // a mark without a value
      [`{${five}}`, row], // a value without a mark
      ['{"a":1}', row], // no marks at all
      [`{"x":${M},${M},${M},${M},${M}}`, unrated], // a mark where a value stands
      [`{${M}1,${M},${M},${M},${M}}`, unrated], // a mark with digits after it
      [`{"b":"${M}",${M},${M},${M},${M}}`, unrated], // a mark inside a string
      [`{"x":{${M},${M},${M},${M},${M}}}`, unrated], // marks as the fields of a nested object
      [`{${five},"satisfaction":1}`, unrated], // a field the row keeps, in the body
      [`{${all},"status":"rated"}`, row],
    ];
    for (const [elided, values] of misfits) expect(restoreRowValuesText(elided, values), elided).toBeNull();
    // a value not of its column's type (a table whose STRICT was taken off could hold one)
    for (const values of [
      [7, 8, 'E1', Buffer.from('1'), 'S1', 'rated'],
      [7, 8, 'E1', 2.5, 'S1', 'rated'],
      [2 ** 53 + 2, 8, 'E1', 3, 'S1', 'rated'],
      ['7', 8, 'E1', 3, 'S1', 'rated'],
      [7, 8, 'E1', 3, Buffer.from('S1'), 'rated'],
      [7, 8, 'E1', 3, 1024, 'rated'],
      [7, null, 'E1', 3, 'S1', 'rated'],
    ] as RowValues[])
      expect(restoreRowValuesText(`{${all}}`, values), String(values)).toBeNull();
    // the same words inside a string are not a field
    expect(restoreRowValuesText(`{${five},"c":"\\"status\\":1"}`, unrated)).toBe(
      '{"deviceSeq":7,"deviceTimeMs":8,"evaluationId":"E1","staffId":"S1","status":"unrated","c":"\\"status\\":1"}',
    );
  });

  it('asks for a larger buffer rather than writing past the one it was given', () => {
    const M = '\u0001';
    const elided = Buffer.from(`{${M},${M},${M},${M},"staffName":"王",${M}}`, 'utf8');
    const row: RowValues = [1, 2, 'E', null, '工'.repeat(40), 'unrated'];
    expect(restoreRowValues(elided, elided.length, row, Buffer.alloc(64))).toBe(-1);
    const out = Buffer.alloc(1000);
    const n = restoreRowValues(elided, elided.length, row, out);
    expect(out.toString('utf8', 0, n)).toBe(
      `{"deviceSeq":1,"deviceTimeMs":2,"evaluationId":"E","staffId":"${'工'.repeat(40)}","staffName":"王","status":"unrated"}`,
    );
    // only the given length is read, whatever follows it in the buffer
    const padded = Buffer.concat([elided, Buffer.from(`${M}${M}${M}`)]);
    expect(restoreRowValues(padded, elided.length, row, out)).toBe(n);
  });
});
