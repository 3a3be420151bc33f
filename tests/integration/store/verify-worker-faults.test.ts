import { join } from 'node:path';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH } from '../../../src/domain/canonical.js';
import { walkChainRange } from '../../../src/store/chain-walk.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { verifyChainInParallel } from '../../../src/store/verify-parallel.js';
import { verifyChain, walkEnv } from '../../../src/store/verify.js';
import { walkInWorkers } from '../../../src/store/verify-workers.js';
import { tempDir } from '../../helpers/tmp.js';
import { appendBatches } from './chain-fixture.js';

/**
 * A worker of verify-workers.ts that misbehaves — answers a range twice, sends something that is
 * not an answer, throws, exits without answering — is no evidence about the chain: the answer is
 * the careful walk's, and every worker thread ends. The workers run their real source text, with
 * its answering line changed (`fault`).
 */

const state = vi.hoisted(() => ({
  fault: null as null | ((answerLine: string) => string),
  started: [] as Array<{ exited: Promise<number> }>,
}));

vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class FaultyWorker extends real.Worker {
    constructor(source: string, opts: WorkerOptions) {
      const line = 'parentPort.postMessage(walkChainRange(env, db, range));';
      if (state.fault !== null) {
        if (!source.includes(line)) throw new Error('the worker source no longer has its answering line');
        source = source.replace(line, state.fault(line));
      }
      super(source, opts);
      const self = this as NodeWorker;
      state.started.push({ exited: new Promise((resolve) => self.once('exit', resolve)) });
    }
  }
  return { ...real, Worker: FaultyWorker };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = Date.UTC(2026, 11, 4, 3, 0, 0);
const RECORDS = 600;
let n = 0;

function chain(): Db {
  const db = openDatabase(join(tmp.dir, `f${n++}.db`));
  appendBatches(
    db,
    Array.from({ length: RECORDS / 20 }, () => 20),
    0,
    T0,
    1000,
  );
  return db;
}

beforeEach(() => {
  state.fault = null;
  state.started = [];
});

async function parallel(
  db: Db,
  opts: { workers: number; ranges: number },
): Promise<{ result: unknown; how: string[] }> {
  const how: string[] = [];
  const result = await verifyChainInParallel(db, db.name, {
    ...opts,
    minRecords: 0,
    onAnswer: (h) => how.push(h),
  });
  // every thread started ends
  await Promise.all(state.started.map((w) => w.exited));
  return { result, how };
}

describe('a worker that misbehaves', () => {
  it('answering a range twice: its second answer is not taken for the next range it holds', async () => {
    const db = chain();
    // Two ranges (1–300, 301–600) on one worker, which answers the first one twice: the copy
    // must not stand for the second range (it would end the chain at 300: "missing_tail").
    state.fault = (line) => `if (range.prevSeq === 0) ${line} ${line}`;
    const r = await parallel(db, { workers: 2, ranges: 2 });
    expect(verifyChain(db)).toEqual({ ok: true, count: RECORDS });
    expect(r.result).toEqual({ ok: true, count: RECORDS });
    expect(r.how).toEqual(['this thread']);
    db.close();
  });

  it('a malformed answer, a throw, an exit without answering, not clean for a clean range: the careful walk answers', async () => {
    const faults: Array<[string, (line: string) => string]> = [
      ['malformed', () => `parentPort.postMessage({ clean: true, count: 'many' });`],
      ['a number', () => `parentPort.postMessage(7);`],
      ['throws', (line) => `if (range.prevSeq > 0) throw new Error('boom'); ${line}`],
      ['exits', (line) => `if (range.prevSeq > 0) process.exit(0); ${line}`],
      ['not clean', () => `parentPort.postMessage({ clean: false, atSeq: range.prevSeq + 1 });`],
      ['answers nothing then exits', () => `setTimeout(() => process.exit(3), 50);`],
    ];
    for (const [what, fault] of faults) {
      const db = chain();
      state.fault = fault;
      state.started = [];
      const r = await parallel(db, { workers: 2, ranges: 6 });
      expect(r.result, what).toEqual({ ok: true, count: RECORDS });
      expect(r.how, what).toEqual(['this thread']);
      db.close();
    }
  });

  it('workers that never answer, or none at all: no answer, in time, and every thread ends', async () => {
    const db = chain();
    state.fault = () => `/* hangs: never answers */`;
    const ranges = [
      { readAbove: -1, prevSeq: 0, prevHash: GENESIS_HASH, throughSeq: 300 },
      { readAbove: 300, prevSeq: 300, prevHash: 'x', throughSeq: Number.MAX_SAFE_INTEGER },
    ];
    const late = new Promise((resolve) => setTimeout(() => resolve('no answer after 20 s'), 20_000));
    expect(await Promise.race([walkInWorkers(db.name, ranges, 2, 1_000), late])).toBeNull();
    await Promise.all(state.started.map((w) => w.exited));
    expect(await Promise.race([walkInWorkers(db.name, ranges, 0, 1_000), late])).toBeNull();
    expect(await Promise.race([walkInWorkers(db.name, ranges, Number.NaN, 1_000), late])).toBeNull();
    db.close();
  });
});

describe('the fast walk’s read transaction', () => {
  it('is closed when the walk ends early, ends clean, or throws', () => {
    const db = chain();
    const range = { readAbove: -1, prevSeq: 0, prevHash: GENESIS_HASH, throughSeq: Number.MAX_SAFE_INTEGER };
    expect(walkChainRange(walkEnv(), db, range)).toMatchObject({ clean: true, count: RECORDS });
    expect(db.inTransaction).toBe(false);
    db.prepare(`UPDATE records SET status = 'unrated' WHERE device_seq = 520`).run();
    expect(walkChainRange(walkEnv(), db, range)).toEqual({ clean: false, atSeq: 520 });
    expect(db.inTransaction).toBe(false);
    const env = {
      ...walkEnv(),
      sha256HexOfBytes: (): string => {
        throw new Error('boom');
      },
    };
    expect(() => walkChainRange(env, db, range)).toThrow();
    expect(db.inTransaction).toBe(false);
    // inside a caller's transaction: a savepoint, released, the caller's transaction still open
    db.transaction(() => {
      expect(walkChainRange(walkEnv(), db, range)).toEqual({ clean: false, atSeq: 520 });
      expect(db.inTransaction).toBe(true);
    })();
    expect(db.inTransaction).toBe(false);
    db.close();
  });
});
