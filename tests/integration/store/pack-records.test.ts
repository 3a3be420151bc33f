import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, sha256Hex } from '../../../src/domain/canonical.js';
import type { PlatformRecord } from '../../../src/domain/record.js';
import { DatabaseFromFutureError, getMeta, openDatabase } from '../../../src/store/db.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { markDelivered, outboxStats, pendingRecords } from '../../../src/store/outbox.js';
import { BODY_CODEC, packBody, unpackBody } from '../../../src/store/record-codec.js';
import { appendRecords, readRecord } from '../../../src/store/records.js';
import { rowValueColumns, type RowValues } from '../../../src/store/row-values.js';
import { pruneDelivered } from '../../../src/store/retention.js';
import { verifyChain } from '../../../src/store/verify.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';
import { variedRecord } from './chain-fixture.js';

/**
 * Migration 5 packs each record's body and keeps its hash as 32 bytes (decisions 173–175). What
 * must not change: the text the hash covers, what is uploaded, the chain verifying, and evidence
 * of tampering.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 9, 1, 1, 0, 0);

/** A database as schema 4 left it (text bodies, hex hashes), with `n` records sealed by its code. */
function schema4Db(file: string, n: number, opts: { deliveredThrough?: number } = {}): PlatformRecord[] {
  const db = databaseAtSchema(file, 4);
  const insRecord = db.prepare(
    `INSERT INTO records (device_seq, record_id, evaluation_id, staff_id, status, satisfaction, body, hash, created_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insOutbox = db.prepare(
    `INSERT INTO outbox (kind, ref, device_seq, urgent, created_ms) VALUES ('record', ?, ?, 0, ?)`,
  );
  const sealed: PlatformRecord[] = [];
  let prevHash = GENESIS_HASH;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const withChain = { ...variedRecord(i, T0 + i * 60_000), deviceSeq: i + 1, prevHash };
      const text = canonicalJson(withChain);
      const rec = { ...withChain, hash: sha256Hex(text) } as PlatformRecord;
      insRecord.run(
        i + 1,
        rec.evaluationId,
        rec.evaluationId.replace(/-\d{1,2}$/, ''),
        rec.staffId,
        rec.status,
        rec.satisfaction ?? null,
        text,
        rec.hash,
        T0 + i * 60_000,
      );
      insOutbox.run(rec.evaluationId, i + 1, T0 + i * 60_000);
      prevHash = rec.hash;
      sealed.push(rec);
    }
    db.prepare(`INSERT INTO meta (key, value) VALUES ('last_device_seq', ?), ('chain_head', ?)`).run(
      String(n),
      prevHash,
    );
    db.prepare(
      `UPDATE outbox SET state = 'delivered', delivered_ms = created_ms + 5000 WHERE device_seq <= ?`,
    ).run(opts.deliveredThrough ?? 0);
  })();
  db.close();
  return sealed;
}

describe('records packed (migration 5)', () => {
  it('packs what a new record stores: the hashed text unpacks byte for byte, the hash is its 32 bytes', () => {
    const db = openDatabase(join(tmp.dir, 'new.db'));
    // each sealed at its own time, as the pad does
    const sealed = db.transaction(() =>
      Array.from({ length: 10 }, (_, i) =>
        appendRecords(db, [variedRecord(i, T0 + i * 1000)], T0 + i * 1000),
      ).flat(),
    )();
    const rows = db
      .prepare(`SELECT body, hash, ${rowValueColumns('')} FROM records ORDER BY device_seq`)
      .raw(true)
      .all() as unknown[][];
    rows.forEach((columns, i) => {
      const [body, storedHash, ...rowValues] = columns;
      const row = { body, hash: storedHash };
      const { hash, ...hashed } = sealed[i]!;
      expect(Buffer.isBuffer(row.body)).toBe(true);
      expect((row.body as Buffer)[0]).toBe(BODY_CODEC);
      const text = unpackBody(row.body, rowValues as unknown as RowValues);
      expect(text).toBe(canonicalJson(hashed));
      expect(sha256Hex(text)).toBe(hash);
      expect(row.hash).toEqual(Buffer.from(hash, 'hex'));
      // smaller than the text it stands for, by more than the key names
      expect((row.body as Buffer).length).toBeLessThan(Buffer.byteLength(text) * 0.6);
      expect(canonicalJson(readRecord(db, sealed[i]!.evaluationId))).toBe(canonicalJson(sealed[i]));
    });
    expect(verifyChain(db)).toEqual({ ok: true, count: 10 });
    db.close();
  });

  it('migrates a schema-4 database: records read back identical, the outbox sends the same JSON, the chain verifies and continues', () => {
    const file = join(tmp.dir, 'schema4.db');
    const sealed = schema4Db(file, 40);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(verifyChain(db)).toEqual({ ok: true, count: 40 });
    for (const rec of sealed)
      expect(canonicalJson(readRecord(db, rec.evaluationId))).toBe(canonicalJson(rec));
    const pending = pendingRecords(db, 100);
    expect(pending).toHaveLength(40);
    for (const p of pending) {
      const rec = sealed[p.deviceSeq - 1]!;
      // exactly the JSON schema 4 sent: the hashed text with its hash appended
      const { hash, ...hashed } = rec;
      expect(p.body).toBe(`${canonicalJson(hashed).slice(0, -1)},"hash":"${hash}"}`);
    }
    const types = db
      .prepare(`SELECT DISTINCT typeof(body) AS b, typeof(hash) AS h, length(hash) AS n FROM records`)
      .all();
    expect(types).toEqual([{ b: 'blob', h: 'blob', n: 32 }]);
    db.transaction(() => appendRecords(db, [variedRecord(40, T0 + 41 * 60_000)], T0 + 41 * 60_000))();
    expect(verifyChain(db)).toEqual({ ok: true, count: 41 });
    // retention reads the packed hash for its anchor and the rest still verifies from it
    markDelivered(
      db,
      sealed.slice(0, 10).map((r) => r.evaluationId),
      T0 + 20 * 60_000,
    );
    expect(pruneDelivered(db, { keepDays: 0, nowMs: T0 + 90 * 86_400_000 })).toMatchObject({
      deleted: 10,
      anchor: { deviceSeq: 10, hash: sealed[9]!.hash },
    });
    expect(verifyChain(db)).toEqual({ ok: true, count: 31 });
    db.close();
  });

  it('reports a body that cannot be unpacked, and an edit inside a packed body', () => {
    const db = openDatabase(join(tmp.dir, 'bad.db'));
    db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 6 }, (_, i) => variedRecord(i, T0 + i * 1000)),
        T0,
      ),
    )();
    const text = (
      db
        .prepare(
          'SELECT record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS t FROM records WHERE device_seq = 4',
        )
        .get() as {
        t: string;
      }
    ).t;
    db.prepare('UPDATE records SET body = ? WHERE device_seq = 4').run(
      packBody(text.replace('"deviceSeq":4', '"deviceSeq":4 ')),
    );
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: 4, problem: expect.stringMatching(/^(hash_mismatch|body_)/) },
    });
    db.prepare('UPDATE records SET body = ? WHERE device_seq = 3').run(Buffer.from([9, 1, 2, 3]));
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: {
        deviceSeq: 3,
        problem: expect.stringMatching(/^body_unreadable: unknown packing version 9/),
      },
    });
    // the upload query still runs: the unreadable record goes out as something the platform refuses
    const bodies = pendingRecords(db, 10).map((p) => p.body);
    expect(bodies).toHaveLength(6);
    expect(JSON.parse(bodies[2]!)).toMatchObject({ unreadableBody: expect.any(String) });
    db.close();
  });

  it('verification reads bodies and hashes as hex (decision 205): packed, text and other types each give the same verdict as before', () => {
    const db = openDatabase(join(tmp.dir, 'hex.db'));
    db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 5 }, (_, i) => variedRecord(i, T0 + i * 1000)),
        T0,
      ),
    )();
    expect(verifyChain(db)).toEqual({ ok: true, count: 5 });
    // A body and hash written as text by hand (as schema 4 kept them) still verify: same bytes.
    db.prepare(
      'UPDATE records SET body = record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status), hash = record_hash(hash) WHERE device_seq = 2',
    ).run();
    expect(
      db.prepare('SELECT typeof(body) AS b, typeof(hash) AS h FROM records WHERE device_seq = 2').get(),
    ).toEqual({ b: 'text', h: 'text' });
    expect(verifyChain(db)).toEqual({ ok: true, count: 5 });
    // A text body with non-ASCII text edited is caught by its hash, not misread.
    db.prepare(
      `UPDATE records SET body = replace(body, '"staffName":"', '"staffName":"张') WHERE device_seq = 2`,
    ).run();
    expect(verifyChain(db)).toMatchObject({ ok: false, firstBroken: { deviceSeq: 2 } });
    // A number where a body belongs is unreadable, named by its SQL type.
    db.prepare('UPDATE records SET body = 42 WHERE device_seq = 1').run();
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: 1, problem: 'body_unreadable: neither text nor a packed body (integer)' },
    });
    db.close();
  });

  it('an acknowledged record keeps no outbox row; acked_through_seq stops below the oldest pending one', () => {
    const file = join(tmp.dir, 'acked4.db');
    schema4Db(file, 12, { deliveredThrough: 6 });
    const db = openDatabase(file);
    // migration 5: the rows kept as 'delivered' are gone, the mark says where delivery stands
    expect(db.prepare(`SELECT COUNT(*) AS n FROM outbox`).get()).toEqual({ n: 6 });
    expect(getMeta(db, 'acked_through_seq')).toBe('6');
    const sealed = db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 3 }, (_, i) => variedRecord(12 + i, T0 + (12 + i) * 1000)),
        T0,
      ),
    )();
    const ids = pendingRecords(db, 100).map((p) => p.recordId);
    expect(ids).toHaveLength(9);
    // 8 is acknowledged out of order: the mark waits for 7
    markDelivered(db, [ids[1]!], T0 + 1000);
    expect(getMeta(db, 'acked_through_seq')).toBe('6');
    markDelivered(db, [ids[0]!, ids[2]!], T0 + 2000);
    expect(getMeta(db, 'acked_through_seq')).toBe('9');
    markDelivered(db, ids.slice(3), T0 + 3000);
    expect(getMeta(db, 'acked_through_seq')).toBe('15');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM outbox`).get()).toEqual({ n: 0 });
    expect(outboxStats(db)).toMatchObject({ pending: 0, rejected: 0, lastAckMs: T0 + 3000 });
    expect(sealed).toHaveLength(3);
    db.close();
  });

  it('still refuses a database newer than the code', () => {
    const file = join(tmp.dir, 'future.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseFromFutureError);
  });
});
