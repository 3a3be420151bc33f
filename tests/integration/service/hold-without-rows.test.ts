import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import type { Db } from '../../../src/store/db.js';
import { recoverDamagedDatabase } from '../../../src/store/recovery.js';
import { STAFF, badCode, oneCase, serviceFixture } from '../../helpers/service.js';

/**
 * A record whose evaluation has no working row is not always a folded one (hours old): a damaged
 * database is rebuilt from its salvaged records alone (recovery.ts), and a handed-over pad adopts
 * the old pad's records alone (adopt.ts). A 差评 sealed a minute before the restart is held on its
 * own seal time (HELD_RECORD_SQL): listed only after the next evaluation started, or 30 minutes.
 */
type Fx = ReturnType<typeof serviceFixture>;
let fx: Fx;
let recovered: Db | null = null;
beforeEach(() => {
  fx = serviceFixture();
});
afterEach(() => {
  recovered?.close();
  recovered = null;
  fx.cleanup();
});

describe('the anti-interference hold of a 差评 whose evaluation row is gone for another reason than the fold', () => {
  it('a 差评 salvaged a minute after it was sealed is not shown to the staff member yet', () => {
    const id = fx.svc.start({ cases: [oneCase('H-1')] }, { origin: 'window_api', staff: STAFF }).evaluationId;
    fx.svc.press({ source: 'touch', key: 1, evaluationId: id });
    fx.svc.submitReasons(id, [badCode(1)], undefined);
    const held = new StaffQueries(fx.db, fx.clock, () => 3);
    expect(held.badReviews(STAFF.staffId)).toEqual([]);

    // The file is found damaged at the next start, a minute later; its records are salvaged.
    fx.clock.advance(60_000);
    fx.db.close();
    recovered = recoverDamagedDatabase(join(fx.dir, 'kiosk.db'), 'test', fx.clock.now()).db;
    expect((recovered.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n).toBe(1);
    const queries = new StaffQueries(recovered, fx.clock, () => 3);
    expect(queries.badReviews(STAFF.staffId)).toEqual([]);

    // 30 minutes after it was sealed the citizen has gone: listed then.
    fx.clock.advance(30 * 60_000);
    expect(queries.badReviews(STAFF.staffId).map((b) => b.recordId)).toEqual([id]);
  });
});
