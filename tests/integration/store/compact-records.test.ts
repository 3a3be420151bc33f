import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, recordHash, sha256Hex } from '../../../src/domain/canonical.js';
import type { PlatformRecord } from '../../../src/domain/record.js';
import { getMeta, openDatabase } from '../../../src/store/db.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { markDelivered, outboxStats, pendingRecords } from '../../../src/store/outbox.js';
import { appendRecords, readRecord, recordTextSql } from '../../../src/store/records.js';
import { pruneDelivered } from '../../../src/store/retention.js';
import { verifyChain } from '../../../src/store/verify.js';
import { databaseAtSchema } from '../../helpers/old-schema.js';
import { tempDir } from '../../helpers/tmp.js';
import { variedRecord } from './chain-fixture.js';

/**
 * Migration 4 stores each record once, as the canonical bytes its hash covers (decisions 170–172).
 * What must not change: every record read back is the same record in its canonical form, the
 * chain verifies, the outbox still sends the same records, and evidence of tampering survives.
 */

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 9, 1, 1, 0, 0);

/** A database as schema 3 left it, with `n` records sealed the way the code before migration 4 did. */
function oldSchemaDb(file: string, n: number): PlatformRecord[] {
  const db = databaseAtSchema(file, 3);
  const insRecord = db.prepare(
    `INSERT INTO records (device_seq, record_id, evaluation_id, project_no, service_number, staff_id, status,
       satisfaction, body, prev_hash, hash, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insOutbox = db.prepare(
    `INSERT INTO outbox (kind, ref, device_seq, urgent, created_ms) VALUES ('record', ?, ?, 0, ?)`,
  );
  const sealed: PlatformRecord[] = [];
  let prevHash = GENESIS_HASH;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const withChain = { ...variedRecord(i, T0 + i * 60_000), deviceSeq: i + 1, prevHash };
      const rec = { ...withChain, hash: recordHash(withChain) } as PlatformRecord;
      insRecord.run(
        i + 1,
        rec.evaluationId,
        rec.evaluationId.replace(/-\d{1,2}$/, ''),
        rec.projectNo,
        rec.serviceNumber,
        rec.staffId,
        rec.status,
        rec.satisfaction ?? null,
        JSON.stringify(rec), // insertion order, hash inside: how schema 3 stored it
        prevHash,
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
      `UPDATE outbox SET state = 'delivered', delivered_ms = created_ms + 5000 WHERE device_seq <= 5`,
    ).run();
  })();
  db.close();
  return sealed;
}

describe('records stored once (migration 4)', () => {
  it('migrates a schema-3 database: every record reads back canonically identical and the chain verifies', () => {
    const file = join(tmp.dir, 'old.db');
    const sealed = oldSchemaDb(file, 30);
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(verifyChain(db)).toEqual({ ok: true, count: 30 });
    for (const rec of sealed) {
      const back = readRecord(db, rec.evaluationId);
      expect(canonicalJson(back)).toBe(canonicalJson(rec));
    }
    // The outbox sends the same records it would have sent before.
    const pending = pendingRecords(db, 100);
    expect(pending.map((p) => p.deviceSeq)).toEqual(sealed.slice(5).map((r) => r.deviceSeq));
    for (const p of pending) {
      const rec = sealed[p.deviceSeq - 1]!;
      expect(p.recordId).toBe(rec.evaluationId);
      expect(canonicalJson(JSON.parse(p.body))).toBe(canonicalJson(rec));
    }
    expect(outboxStats(db)).toMatchObject({ pending: 25, lastAckMs: T0 + 4 * 60_000 + 5000 });
    // Appending continues the same chain.
    db.transaction(() => appendRecords(db, [variedRecord(30, T0 + 31 * 60_000)], T0 + 31 * 60_000))();
    expect(verifyChain(db)).toEqual({ ok: true, count: 31 });
    db.close();
  });

  it('keeps the evidence of an edit made before the migration (it never repairs a record)', () => {
    const file = join(tmp.dir, 'tampered.db');
    oldSchemaDb(file, 10);
    const raw = new Database(file);
    raw
      .prepare(
        `UPDATE records SET body = replace(body, '"satisfaction":1', '"satisfaction":5'), satisfaction = 5 WHERE device_seq = 2`,
      )
      .run();
    raw.prepare(`UPDATE records SET body = '{"evaluationId":' WHERE device_seq = 7`).run();
    raw.close();
    const db = openDatabase(file);
    expect(verifyChain(db)).toMatchObject({
      ok: false,
      firstBroken: { deviceSeq: 2, problem: expect.stringMatching(/^hash_mismatch/) },
    });
    expect(verifyChain(db, { throughSeq: 6 })).toMatchObject({ ok: false });
    db.close();
  });

  it('stores the bytes the hash covers, and nothing of the record twice', () => {
    const db = openDatabase(join(tmp.dir, 'new.db'));
    const sealed = db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 6 }, (_, i) => variedRecord(i, T0 + i * 1000)),
        T0,
      ),
    )();
    const cols = (db.prepare('PRAGMA table_info(records)').all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(cols).toEqual([
      'device_seq',
      'record_id',
      'staff_id',
      'status',
      'satisfaction',
      'body',
      'hash',
      'created_ms',
    ]);
    // packed since migration 5 (pack-records.test.ts): read back as the text and hex they stand for
    const rows = db
      .prepare(
        `SELECT ${recordTextSql('')} AS body, record_hash(hash) AS hash FROM records ORDER BY device_seq`,
      )
      .all() as Array<{
      body: string;
      hash: string;
    }>;
    rows.forEach((row, i) => {
      const { hash, ...hashed } = sealed[i]!;
      expect(row.body).toBe(canonicalJson(hashed));
      expect(sha256Hex(row.body)).toBe(hash);
      expect(row.hash).toBe(hash);
    });
    db.close();
  });

  it('the queries of a rating, the status line and the outbox use indexes, not scans of the history', () => {
    const db = openDatabase(join(tmp.dir, 'plans.db'));
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('; ');
    // the risk rules' look-up of presses around a rating (src/store/risk-input.ts; since
    // migration 7 its own presses by id, decision 211)
    expect(
      plan(`SELECT at_ms FROM raw_inputs WHERE (id > 5 AND evaluation_id = 'E1') OR (at_ms BETWEEN 1 AND 2)`),
    ).not.toMatch(/SCAN raw_inputs/);
    expect(plan(`SELECT COUNT(*) FROM outbox WHERE state = 'pending'`)).not.toMatch(
      /SCAN outbox\b(?! USING)/,
    );
    expect(plan(`SELECT COUNT(*) FROM outbox WHERE state = 'rejected'`)).toMatch(/outbox_rejected/);
    expect(
      plan(
        `SELECT r.body FROM records r WHERE r.staff_id = 'T1' AND r.status = 'rated' AND r.satisfaction <= 2 ORDER BY r.device_seq DESC LIMIT 100`,
      ),
    ).toMatch(/records_bad_reviews/);
    db.close();
  });

  it('keeps the last acknowledgement time without scanning the outbox', () => {
    const db = openDatabase(join(tmp.dir, 'ack.db'));
    const recs = db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 3 }, (_, i) => variedRecord(i, T0)),
        T0,
      ),
    )();
    expect(outboxStats(db)).toMatchObject({ pending: 3, lastAckMs: null, oldestPendingMs: T0 });
    markDelivered(db, [recs[0]!.evaluationId], T0 + 9000);
    markDelivered(db, [recs[1]!.evaluationId], T0 + 5000); // an older answer arriving late
    expect(outboxStats(db)).toMatchObject({ pending: 1, lastAckMs: T0 + 9000 });
    expect(getMeta(db, 'last_ack_ms')).toBe(String(T0 + 9000));
    db.close();
  });

  it('retention checks what it deletes and its link to what stays, and still refuses a broken prefix', () => {
    const db = openDatabase(join(tmp.dir, 'prune.db'));
    const DAY = 86_400_000;
    const recs = db.transaction(() =>
      appendRecords(
        db,
        Array.from({ length: 10 }, (_, i) => variedRecord(i, T0)),
        T0,
      ),
    )();
    markDelivered(
      db,
      recs.slice(0, 5).map((r) => r.evaluationId),
      T0 + DAY,
    );
    // A break far beyond what is deleted does not stop pruning; verifyChain still reports it.
    db.prepare(`UPDATE records SET status = 'unrated' WHERE device_seq = 10`).run();
    expect(pruneDelivered(db, { keepDays: 0, nowMs: T0 + 2 * DAY })).toMatchObject({ deleted: 5 });
    expect(verifyChain(db)).toMatchObject({ ok: false, firstBroken: { deviceSeq: 10 } });
    // A break in the link from the anchor to the first kept record does stop it.
    markDelivered(db, [recs[5]!.evaluationId], T0 + DAY);
    db.prepare(
      `UPDATE records SET body = record_pack(replace(record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status), '"prevHash":"', '"prevHash":"0')) WHERE device_seq = 7`,
    ).run();
    expect(() => pruneDelivered(db, { keepDays: 0, nowMs: T0 + 2 * DAY })).toThrow(/deviceSeq 7/);
    db.close();
  });
});
