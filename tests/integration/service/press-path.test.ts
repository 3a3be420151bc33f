import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EvaluationService } from '../../../src/service/evaluations.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { NORMS, oneCase, records, STAFF, TIMING } from '../../helpers/service.js';
import { FakeClock, tempDir } from '../../helpers/tmp.js';

/**
 * The sealing transaction holds the database's write lock: the reference data a rating needs
 * (hall, norms, timings, clock offset) is read before it starts, never inside (issue 14).
 */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function strictFixture() {
  const tmp = tempDir();
  const db: Db = openDatabase(join(tmp.dir, 'kiosk.db'));
  cleanups.push(() => {
    db.close();
    tmp.cleanup();
  });
  const reads: string[] = [];
  const outside =
    <T>(name: string, value: T) =>
    () => {
      if (db.inTransaction) throw new Error(`${name}() read inside the sealing transaction`);
      reads.push(name);
      return value;
    };
  const clock = new FakeClock();
  const svc = new EvaluationService({
    db,
    clock,
    timing: outside('timing', TIMING),
    hall: outside('hall', {
      hallCode: 'H370900001',
      hallName: '泰安市政务服务中心',
      windowNo: '12',
      areaCode: '370900',
    }),
    norms: outside('norms', NORMS),
    clockOffsetMs: outside('clockOffsetMs', 0),
    clockUnsynced: outside('clockUnsynced', false),
    log: () => undefined,
    onCommitted: () => undefined,
  });
  return { db, clock, svc, reads };
}

describe('the press path reads reference data before its transaction', () => {
  it('a key press seals a 5-star rating without reading hall, norms or timings inside the transaction', () => {
    const fx = strictFixture();
    fx.svc.start({ cases: [oneCase('P-1')] }, { origin: 'window_api', staff: STAFF });
    fx.clock.advance(2000);
    const out = fx.svc.press({ source: 'key', key: 5, board: { serial: 'B1', bootId: 1, counter: 1 } });
    expect(out).toMatchObject({ disposition: 'rating', next: 'rated' });
    expect(records(fx.db)).toEqual([
      expect.objectContaining({
        satisfaction: 5,
        hallCode: 'H370900001',
        windowNo: '12',
        areaCode: '370900',
      }),
    ]);
    expect(fx.reads).toEqual(expect.arrayContaining(['hall', 'norms', 'timing', 'clockOffsetMs']));
  });

  it('a 差评 with reasons, a time-out and a cancel do not either', () => {
    const fx = strictFixture();
    fx.svc.start({ cases: [oneCase('P-2')] }, { origin: 'window_api', staff: STAFF });
    fx.clock.advance(2000);
    fx.svc.press({ source: 'touch', key: 1 });
    const open = fx.svc.openEvaluation();
    fx.svc.submitReasons(open!.evaluation.id, [], '等待时间太长');
    fx.svc.start({ cases: [oneCase('P-3')] }, { origin: 'window_api', staff: STAFF });
    fx.clock.advance(61_000);
    fx.svc.expireDue();
    const started = fx.svc.start({ cases: [oneCase('P-4')] }, { origin: 'window_api', staff: STAFF });
    fx.svc.cancel(started.evaluationId, { reason: 'wrong_case', staffId: STAFF.staffId, channel: 'test' });
    expect(records(fx.db).map((r) => r.status)).toEqual(['rated', 'unrated', 'cancelled']);
  });
});
