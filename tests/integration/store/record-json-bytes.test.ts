import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { pendingRecordJsonBetween } from '../../../src/store/outbox.js';
import { recordJsonSql } from '../../../src/store/records.js';
import { appendRecords } from '../../../src/store/records.js';
import { tempDir } from '../../helpers/tmp.js';
import { variedRecord } from './chain-fixture.js';

/**
 * The uploader reads a pending record's upload JSON as bytes (record-codec.ts recordJsonBytes,
 * outbox.ts pendingRecordJsonBetween) instead of through `record_json`'s string. What is sent
 * must not change by a byte, for sound records and for every kind of damage.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 9, 1, 1, 0, 0);

/** `record_json` of every pending record, as UTF-8 bytes: what the uploader sent before. */
function viaRecordJson(db: Db): Buffer[] {
  return (
    db
      .prepare(
        `SELECT ${recordJsonSql('r')} AS json FROM outbox o JOIN records r ON r.record_id = o.ref
         WHERE o.kind = 'record' AND o.state = 'pending' ORDER BY o.device_seq`,
      )
      .all() as Array<{ json: string }>
  ).map((r) => Buffer.from(r.json, 'utf8'));
}

function seeded(name: string, n: number): Db {
  const db = openDatabase(join(tmp.dir, name));
  db.transaction(() =>
    appendRecords(
      db,
      Array.from({ length: n }, (_, i) => variedRecord(i, T0 + i * 1000)),
      T0,
    ),
  )();
  return db;
}

describe('a pending record read as bytes (recordJsonBytes)', () => {
  it('is byte for byte what record_json gives, for sound records of every kind', () => {
    const db = seeded('sound.db', 40);
    const bytes = pendingRecordJsonBetween(db, 0, Number.MAX_SAFE_INTEGER, 100);
    expect(bytes.map((r) => r.deviceSeq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(bytes.map((r) => r.json)).toEqual(viaRecordJson(db));
    // A range and a limit, as the uploader asks.
    expect(pendingRecordJsonBetween(db, 10, 30, 5).map((r) => r.deviceSeq)).toEqual([11, 12, 13, 14, 15]);
    db.close();
  });

  it('is byte for byte what record_json gives for bodies kept as text, damaged or odd', () => {
    const db = seeded('odd.db', 9);
    const set = (seq: number, column: 'body' | 'hash', value: unknown) =>
      db.prepare(`UPDATE records SET ${column} = ? WHERE device_seq = ?`).run(value, seq);
    const text = (
      db
        .prepare(
          'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS t FROM records WHERE device_seq = 1',
        )
        .get() as { t: string }
    ).t;
    set(1, 'body', text); // a body kept as text (before migration 5, or by hand)
    set(2, 'body', Buffer.from([9, 1, 2, 3])); // an unknown packing version
    set(3, 'body', Buffer.from([2])); // too short to be a packed body
    set(4, 'body', Buffer.concat([Buffer.from([1]), deflateRawSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))])); // not UTF-8
    set(5, 'body', Buffer.concat([Buffer.from([1]), deflateRawSync('{"a":"好"} ')])); // not ending in }
    set(6, 'body', 12345); // neither text nor bytes
    set(7, 'hash', 'not-a-hex-hash-好'); // a hash kept as text
    set(8, 'body', Buffer.concat([Buffer.from([1]), deflateRawSync('{"a":"\u{1F600}好"}')])); // packed whole, 4-byte UTF-8
    const bytes = pendingRecordJsonBetween(db, 0, Number.MAX_SAFE_INTEGER, 100).map((r) => r.json);
    expect(bytes).toEqual(viaRecordJson(db));
    expect(JSON.parse(bytes[1]!.toString('utf8'))).toMatchObject({ unreadableBody: expect.any(String) });
    db.close();
  });
});
