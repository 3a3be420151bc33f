import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import { recordJsonSql } from '../../src/store/records.js';
import { EvaluationService, type CommittedChange } from '../../src/service/evaluations.js';
import type { Norms, TimingConfig } from '../../src/domain/types.js';
import { FakeClock, tempDir } from './tmp.js';

export const NORMS = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../assets/norms-2020.json'), 'utf8'),
) as Norms;

export const TIMING: TimingConfig = {
  rateTimeoutS: 60,
  reasonsTimeoutS: 60,
  optionalExtrasTimeoutS: 10,
  thanksS: 3,
  appealWorkingDays: 3,
};

export const STAFF = { staffId: 'T0107', name: '李明' };

/** The first reason code the norms give for a star (1–2 stars need one). */
export const badCode = (star: number) => NORMS.items.find((i) => i.starLevel === star)?.code as string;

/**
 * The test hall's EvaluationService on a connection the caller holds (a database at an older
 * schema, a second service on the same file); `serviceFixture` makes its own.
 */
export function serviceOn(
  db: Db,
  clock: FakeClock,
  opts: {
    clockOffsetMs?: () => number;
    clockUnsynced?: () => boolean;
    onCommitted?: (c: CommittedChange) => void;
  } = {},
): EvaluationService {
  return new EvaluationService({
    db,
    clock,
    timing: () => TIMING,
    hall: () => ({
      hallCode: 'H370900001',
      hallName: '泰安市政务服务中心',
      windowNo: '12',
      areaCode: '370900',
    }),
    norms: () => NORMS,
    clockOffsetMs: opts.clockOffsetMs ?? (() => 0),
    ...(opts.clockUnsynced ? { clockUnsynced: opts.clockUnsynced } : {}),
    log: () => undefined,
    onCommitted: opts.onCommitted ?? (() => undefined),
  });
}

/**
 * An EvaluationService over a real SQLite file in a temp dir, with a fake clock; `opts` give the
 * platform's clock offset (server − pad) and whether it is confirmed, for the tests of the times.
 */
export function serviceFixture(
  opts: {
    clock?: FakeClock;
    clockOffsetMs?: () => number;
    clockUnsynced?: () => boolean;
    /**
     * false: `changes` stays empty. A benchmark of thousands of evaluations would otherwise keep
     * every change it made (~3 KB each), which the pad's host never does, and each young-generation
     * collection would copy the ones made since the one before.
     */
    keepChanges?: boolean;
  } = {},
) {
  const tmp = tempDir();
  const db: Db = openDatabase(join(tmp.dir, 'kiosk.db'));
  const clock = opts.clock ?? new FakeClock();
  const changes: CommittedChange[] = [];
  const svc = serviceOn(db, clock, {
    ...opts,
    onCommitted: opts.keepChanges === false ? () => undefined : (c) => changes.push(c),
  });
  return {
    db,
    clock,
    svc,
    changes,
    dir: tmp.dir,
    cleanup: () => {
      db.close();
      tmp.cleanup();
    },
  };
}

export function oneCase(projectNo = '370900-2026-000123', promiseType: 1 | 2 = 1) {
  return { projectNo, taskCode: '370900-XK-0001', taskName: '个体工商户设立登记', promiseType };
}

export function records(db: Db): Array<Record<string, unknown>> {
  return (
    db.prepare(`SELECT ${recordJsonSql('')} AS body FROM records ORDER BY device_seq`).all() as Array<{
      body: string;
    }>
  ).map((r) => JSON.parse(r.body));
}
