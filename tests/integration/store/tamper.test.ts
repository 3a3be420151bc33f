import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, recordHash } from '../../../src/domain/canonical.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { markDelivered, markRejected } from '../../../src/store/outbox.js';
import { pruneDelivered } from '../../../src/store/retention.js';
import { verifyChain } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches } from './chain-fixture.js';

/**
 * Tamper evidence of the hash chain, as a property: every single edit, deletion or reordering
 * of stored records is caught by verifyChain, and untouched histories (pruned or not) never
 * fail. Each case runs inside a transaction that is rolled back after verifying, so one base
 * database serves 1,000 cases.
 */

const tmp = tempDir();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 8, 1, 1, 0, 0);
const bases: Record<'plain' | 'pruned', Db> = {} as never;

beforeAll(() => {
  const plain = openDatabase(join(tmp.dir, 'plain.db'));
  appendBatches(plain, [1, 2, 1, 3, 1, 1, 4, 1, 2, 1, 1, 1, 3, 1, 2], 0, T0);
  bases.plain = plain;
  const pruned = openDatabase(join(tmp.dir, 'pruned.db'));
  appendBatches(pruned, [1, 2, 1, 3, 1, 1, 4, 1, 2, 1, 1, 1, 3, 1, 2, 1, 1], 0, T0, DAY / 4);
  const ids = (
    pruned.prepare('SELECT record_id AS id FROM records ORDER BY device_seq').all() as Array<{ id: string }>
  ).map((r) => r.id);
  markDelivered(pruned, ids.slice(0, 14), T0 + 10 * DAY);
  pruneDelivered(pruned, { keepDays: 2, nowMs: T0 + 10 * DAY });
  bases.pruned = pruned;
});
afterAll(() => {
  bases.plain?.close();
  bases.pruned?.close();
  tmp.cleanup();
});

/** The stored layout (migration 3): body is the canonical JSON the hash covers, without `hash`. */
interface Row {
  device_seq: number;
  record_id: string;
  status: string;
  satisfaction: number | null;
  body: string;
  hash: string;
}

const TEXT_COLUMNS = ['record_id', 'staff_id'] as const;

type Mutation =
  | { kind: 'bodyValue'; at: number; key: number; value: unknown; rehash: boolean }
  | { kind: 'bodyTyped'; at: number; key: number; text: string; delta: number; rehash: boolean }
  | { kind: 'bodyRemove'; at: number; key: number; rehash: boolean }
  | { kind: 'bodyAdd'; at: number; name: string; value: unknown; rehash: boolean }
  | { kind: 'textColumn'; at: number; col: (typeof TEXT_COLUMNS)[number]; suffix: string }
  | { kind: 'status'; at: number }
  | { kind: 'satisfaction'; at: number; value: number | null }
  | {
      kind: 'hashChar';
      at: number;
      where: 'column' | 'body' | 'both' | 'prevColumn' | 'prevBody';
      pos: number;
    }
  | { kind: 'delete'; at: number; withOutbox: boolean }
  | { kind: 'swapBodies'; a: number; b: number }
  | { kind: 'swapSeqs'; a: number; b: number }
  | { kind: 'moveLast'; by: number };

const idx = fc.nat({ max: 10_000 });
const nonZero = fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('bodyValue' as const),
    at: idx,
    key: idx,
    value: fc.jsonValue({ maxDepth: 2 }),
    rehash: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('bodyTyped' as const),
    at: idx,
    key: idx,
    text: fc.string({ maxLength: 8 }),
    delta: nonZero,
    rehash: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('bodyRemove' as const), at: idx, key: idx, rehash: fc.boolean() }),
  fc.record({
    kind: fc.constant('bodyAdd' as const),
    at: idx,
    name: fc.string({ minLength: 1, maxLength: 12 }),
    value: fc.jsonValue({ maxDepth: 1 }),
    rehash: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('textColumn' as const),
    at: idx,
    col: fc.constantFrom(...TEXT_COLUMNS),
    suffix: fc.string({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('status' as const), at: idx }),
  fc.record({
    kind: fc.constant('satisfaction' as const),
    at: idx,
    value: fc.option(fc.integer({ min: 1, max: 5 })),
  }),
  fc.record({
    kind: fc.constant('hashChar' as const),
    at: idx,
    where: fc.constantFrom('column', 'body', 'both', 'prevColumn', 'prevBody'),
    pos: fc.nat({ max: 63 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: idx, withOutbox: fc.boolean() }),
  fc.record({ kind: fc.constant('swapBodies' as const), a: idx, b: idx }),
  fc.record({ kind: fc.constant('swapSeqs' as const), a: idx, b: idx }),
  fc.record({ kind: fc.constant('moveLast' as const), by: fc.integer({ min: 1, max: 3 }) }),
);

function flipHex(h: string, pos: number): string {
  const c = h[pos]!;
  return h.slice(0, pos) + (c === '0' ? '1' : '0') + h.slice(pos + 1);
}

/** A value that serializes differently from `old` (so the edit changes the record's meaning). */
function differentFrom(old: unknown, candidate: unknown): unknown {
  if (old !== undefined && canonicalJson(candidate) === canonicalJson(old)) return [candidate];
  return candidate;
}

/** Applies the mutation; returns a description, or null when it doesn't apply to this data. */
function apply(db: Db, m: Mutation): string | null {
  const rows = db
    .prepare(
      `SELECT device_seq, record_id, staff_id, status, satisfaction, record_text(body, device_seq, created_ms, record_id, satisfaction, staff_id, status) AS body,
         record_hash(hash) AS hash FROM records ORDER BY device_seq`,
    )
    .all() as Row[];
  const pick = (i: number) => rows[i % rows.length]!;
  // The tamperer writes the edited record as the pad stores it (canonical and packed, so the edit
  // is the only difference) and, with `rehash`, fixes up its hash column too.
  const writeBody = (row: Row, body: Record<string, unknown>, rehash: boolean) => {
    if (rehash) {
      db.prepare('UPDATE records SET body = record_pack(?), hash = unhex(?) WHERE device_seq = ?').run(
        canonicalJson(body),
        recordHash(body),
        row.device_seq,
      );
    } else {
      db.prepare('UPDATE records SET body = record_pack(?) WHERE device_seq = ?').run(
        canonicalJson(body),
        row.device_seq,
      );
    }
  };
  switch (m.kind) {
    case 'bodyValue':
    case 'bodyTyped':
    case 'bodyRemove': {
      const row = pick(m.at);
      const body = JSON.parse(row.body) as Record<string, unknown>;
      const keys = Object.keys(body);
      const key = keys[m.key % keys.length]!;
      // Re-hashing would overwrite an edit of the hash itself: that is the hashChar case.
      if (m.rehash && key === 'hash') return null;
      const old = body[key];
      if (m.kind === 'bodyRemove') delete body[key];
      else if (m.kind === 'bodyValue') body[key] = differentFrom(old, m.value);
      else if (typeof old === 'number') body[key] = old + m.delta;
      else if (typeof old === 'string') body[key] = m.text === old ? old + 'x' : m.text;
      else if (Array.isArray(old))
        body[key] = old.length > 0 && m.delta > 0 ? old.slice(1) : [...old, m.text];
      else body[key] = differentFrom(old, m.text);
      writeBody(row, body, m.rehash);
      return `${m.kind} ${key} of #${row.device_seq}`;
    }
    case 'bodyAdd': {
      const row = pick(m.at);
      const body = JSON.parse(row.body) as Record<string, unknown>;
      const name = m.name in body || m.name === 'hash' ? `${m.name}_extra` : m.name;
      body[name] = m.value;
      writeBody(row, body, m.rehash);
      return `bodyAdd ${name} to #${row.device_seq}`;
    }
    case 'textColumn': {
      const row = pick(m.at);
      db.prepare(`UPDATE records SET ${m.col} = ${m.col} || ? WHERE device_seq = ?`).run(
        m.suffix,
        row.device_seq,
      );
      return `column ${m.col} of #${row.device_seq}`;
    }
    case 'status': {
      const row = pick(m.at);
      db.prepare(
        `UPDATE records SET status = CASE status WHEN 'rated' THEN 'unrated' ELSE 'rated' END WHERE device_seq = ?`,
      ).run(row.device_seq);
      return `status of #${row.device_seq}`;
    }
    case 'satisfaction': {
      const row = pick(m.at);
      if (m.value === row.satisfaction) return null;
      db.prepare('UPDATE records SET satisfaction = ? WHERE device_seq = ?').run(m.value, row.device_seq);
      return `satisfaction of #${row.device_seq}`;
    }
    case 'hashChar': {
      const row = pick(m.at);
      const body = JSON.parse(row.body) as Record<string, unknown>;
      if (m.where === 'column' || m.where === 'both')
        db.prepare('UPDATE records SET hash = unhex(?) WHERE device_seq = ?').run(
          flipHex(row.hash, m.pos),
          row.device_seq,
        );
      // prevHash is kept in the body only, and the hash in its column only (migration 3).
      if (m.where === 'prevColumn') return null;
      if (m.where === 'body' || m.where === 'both' || m.where === 'prevBody') {
        body.prevHash = flipHex(body.prevHash as string, m.pos);
        db.prepare('UPDATE records SET body = record_pack(?) WHERE device_seq = ?').run(
          canonicalJson(body),
          row.device_seq,
        );
      }
      return `hash ${m.where} of #${row.device_seq}`;
    }
    case 'delete': {
      const row = pick(m.at);
      db.prepare('DELETE FROM records WHERE device_seq = ?').run(row.device_seq);
      if (m.withOutbox) db.prepare(`DELETE FROM outbox WHERE kind = 'record' AND ref = ?`).run(row.record_id);
      return `delete #${row.device_seq}`;
    }
    case 'swapBodies': {
      const a = pick(m.a);
      const b = pick(m.b);
      if (a.device_seq === b.device_seq) return null;
      const set = db.prepare('UPDATE records SET body = record_pack(?) WHERE device_seq = ?');
      set.run(b.body, a.device_seq);
      set.run(a.body, b.device_seq);
      return `swap bodies #${a.device_seq} #${b.device_seq}`;
    }
    case 'swapSeqs': {
      const a = pick(m.a);
      const b = pick(m.b);
      if (a.device_seq === b.device_seq) return null;
      const set = db.prepare('UPDATE records SET device_seq = ? WHERE device_seq = ?');
      set.run(-1, a.device_seq);
      set.run(a.device_seq, b.device_seq);
      set.run(b.device_seq, -1);
      return `swap seqs #${a.device_seq} #${b.device_seq}`;
    }
    case 'moveLast': {
      const last = rows[rows.length - 1]!;
      db.prepare('UPDATE records SET device_seq = device_seq + ? WHERE device_seq = ?').run(
        m.by,
        last.device_seq,
      );
      return `move last #${last.device_seq} by ${m.by}`;
    }
  }
}

describe('hash chain tamper evidence', () => {
  it('the base databases verify, one of them pruned to an anchor', () => {
    expect(verifyChain(bases.plain)).toEqual({ ok: true, count: 25 });
    const pruned = verifyChain(bases.pruned);
    expect(pruned.ok && pruned.count).toBeGreaterThan(5);
    expect(pruned.ok && pruned.count).toBeLessThan(27);
  });

  it('catches 100% of 1,000 random edits, deletions and reorders', () => {
    const seen = new Map<string, number>();
    let applied = 0;
    fc.assert(
      fc.property(fc.constantFrom('plain' as const, 'pruned' as const), mutation, (which, m) => {
        const db = bases[which];
        db.exec('BEGIN');
        try {
          const what = apply(db, m);
          fc.pre(what !== null);
          applied += 1;
          seen.set(m.kind, (seen.get(m.kind) ?? 0) + 1);
          const result = verifyChain(db);
          if (result.ok) throw new Error(`not caught: ${what} on ${which}`);
        } finally {
          db.exec('ROLLBACK');
        }
      }),
      { numRuns: 1000 },
    );
    expect(applied).toBe(1000);
    // every kind of tampering was really exercised
    expect([...seen.keys()].sort()).toHaveLength(12);
    for (const count of seen.values()) expect(count).toBeGreaterThan(20);
    // and rolling back left the bases intact
    expect(verifyChain(bases.plain).ok).toBe(true);
    expect(verifyChain(bases.pruned).ok).toBe(true);
  });

  it('never flags an untouched history: random batches, deliveries, rejections and prunings', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 25 }),
        fc.array(fc.constantFrom('delivered', 'pending', 'rejected'), { maxLength: 100 }),
        fc.array(
          fc.record({
            keepDays: fc.integer({ min: 0, max: 5 }),
            afterDays: fc.integer({ min: 0, max: 10 }),
            more: fc.integer({ min: 0, max: 3 }),
          }),
          { maxLength: 3 },
        ),
        (batches, fates, prunes) => {
          const db = openDatabase(join(tmp.dir, `h${n++}.db`));
          try {
            let next = appendBatches(db, batches, 0, T0, DAY / 3);
            expect(verifyChain(db)).toEqual({ ok: true, count: next });
            let now = T0 + next * (DAY / 3);
            for (const p of prunes) {
              const pending = (
                db
                  .prepare(
                    `SELECT ref FROM outbox WHERE kind = 'record' AND state = 'pending' ORDER BY device_seq`,
                  )
                  .all() as Array<{ ref: string }>
              ).map((r) => r.ref);
              pending.forEach((ref, i) => {
                const fate = fates[i % Math.max(1, fates.length)] ?? 'delivered';
                if (fate === 'delivered') markDelivered(db, [ref], now);
                else if (fate === 'rejected') markRejected(db, ref, 'invalid_field', 'x', now);
              });
              now += p.afterDays * DAY;
              pruneDelivered(db, { keepDays: p.keepDays, nowMs: now });
              const res = verifyChain(db);
              if (!res.ok) throw new Error(`false positive: ${JSON.stringify(res.firstBroken)}`);
              next = appendBatches(
                db,
                Array.from({ length: p.more }, () => 2),
                next,
                now,
              );
              now += p.more * 2 * 60_000;
              expect(verifyChain(db).ok).toBe(true);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
