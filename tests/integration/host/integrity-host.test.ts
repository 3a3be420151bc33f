/**
 * Rating integrity at the pad's edges: the holiday calendar on fake clocks, requestId across a
 * restart, the staff check, the platform's case visits, receipts, environment values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCalendar, SHIPPED_CALENDAR_YEARS } from '../../../src/domain/calendar.js';
import { parseCst } from '../../../src/domain/time.js';
import { loadConfig } from '../../../src/config/config.js';
import { KioskCore } from '../../../src/host/core.js';
import { StaffQueries } from '../../../src/service/staff-queries.js';
import { storedCalendarYears } from '../../../src/store/calendar.js';
import { DEMO_2027, startPlatformSim } from '../../../platform-sim/index.js';
import { NORMS, STAFF, oneCase, serviceFixture } from '../../helpers/service.js';
import { api, putOnDuty, startTestCore, testCoreConfig } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';
import { openPadDb, testSync } from '../../unit/sync/fixtures.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const shippedOnly = createCalendar(SHIPPED_CALENDAR_YEARS);
const with2027 = createCalendar([...SHIPPED_CALENDAR_YEARS, DEMO_2027]);
const badCode = NORMS.items.find((i) => i.starLevel === 1)?.code as string;

/** A released 1-star review rated at `cst` (fake clock), and the queries over it. */
function badReviewAt(cst: string) {
  const fx = serviceFixture();
  cleanup.push(() => fx.cleanup());
  fx.clock.t = parseCst(cst);
  const { evaluationId } = fx.svc.start(
    { cases: [oneCase('CAL-1')] },
    { origin: 'window_api', staff: STAFF },
  );
  fx.clock.advance(3000);
  fx.svc.press({ source: 'touch', key: 1, evaluationId });
  fx.svc.submitReasons(evaluationId, [badCode], undefined);
  fx.svc.start({ cases: [oneCase('CAL-2')] }, { origin: 'window_api', staff: STAFF });
  return { fx, evaluationId };
}

describe('rule 4: the holiday calendar is reference data (fake clock)', () => {
  it('rule 4: 2026-12-24: the shipped data cannot tell; the platform’s 2027 can', () => {
    const { fx, evaluationId } = badReviewAt('2026-12-24 10:00:00');
    const shipped = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      () => shippedOnly,
    );
    expect(shipped.badReviews(STAFF.staffId)[0]).toMatchObject({
      appealDeadline: null,
      appealState: 'unknown_calendar',
    });
    const platform = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      () => with2027,
    );
    expect(platform.badReviews(STAFF.staffId)[0]).toMatchObject({
      recordId: evaluationId,
      appealDeadline: '2026-12-29',
      appealState: 'open',
    });
  });

  it('rule 4: 2027-01-04: counted on the platform’s 2027; without it the appeal is still filed', () => {
    const { fx, evaluationId } = badReviewAt('2027-01-04 09:00:00');
    const platform = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      () => with2027,
    );
    expect(platform.badReviews(STAFF.staffId)[0]?.appealDeadline).toBe('2027-01-07');
    const shipped = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      () => shippedOnly,
    );
    expect(shipped.fileAppeal(STAFF.staffId, evaluationId, '材料齐全，请核实。')).toMatchObject({
      deadline: null,
      platformDecides: true,
    });
  });

  it('rule 4: 2028-03-01 with no calendar at all: the appeal is filed and the platform decides', () => {
    const { fx, evaluationId } = badReviewAt('2028-03-01 09:00:00');
    const q = new StaffQueries(
      fx.db,
      fx.clock,
      () => 3,
      () => with2027,
    );
    expect(q.badReviews(STAFF.staffId)[0]).toMatchObject({
      appealDeadline: null,
      appealState: 'unknown_calendar',
    });
    expect(q.fileAppeal(STAFF.staffId, evaluationId, '材料齐全，请核实。').platformDecides).toBe(true);
    expect(fx.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'appeal'`).get()).toEqual({ n: 1 });
  });

  it('rule 4: the pad fetches the current and the next year (ETag, offline copy); 404 keeps what it has', async () => {
    const sim = await startPlatformSim();
    cleanup.push(() => sim.close());
    const t = tempDir();
    cleanup.push(t.cleanup);
    const db = openPadDb(t.dir);
    cleanup.push(() => {
      db.close();
    });
    const clock = { t: parseCst('2026-12-24 10:00:00'), now: () => clock.t };
    const sync = testSync(db, t.dir, sim.url, { clock });
    cleanup.push(() => sync.stop());
    await sync.syncNow();
    expect(storedCalendarYears(db).map((y) => y.year)).toEqual([2026, 2027]);
    expect(storedCalendarYears(db)[1]?.holidays).toEqual(DEMO_2027.holidays);
    clock.t = parseCst('2028-03-01 09:00:00'); // neither 2028 nor 2029 is published
    await sync.syncNow();
    expect(storedCalendarYears(db).map((y) => y.year)).toEqual([2026, 2027]);
  });
});

describe('rule 6, 7, 5: window API', () => {
  it('rule 6: a requestId retry after the pad restarted gets the same 201 and evaluationId', async () => {
    const t = tempDir();
    cleanup.push(t.cleanup);
    const config = testCoreConfig(t.dir);
    const body = { cases: [oneCase('RQ-R-1')], requestId: 'QMS-20261202-000341' };
    const first = await KioskCore.start(config);
    putOnDuty(first);
    const a = await api(first, 'POST', '/v1/evaluations', body);
    expect(a.status).toBe(201);
    first.evaluations.press({ source: 'key', key: 5 });
    await first.stop();
    const second = await KioskCore.start(config);
    cleanup.push(() => second.stop());
    const b = await api(second, 'POST', '/v1/evaluations', body);
    expect(b).toEqual(a);
    expect(second.db.prepare('SELECT COUNT(*) AS n FROM evaluations').get()).toEqual({ n: 1 });
  });

  it('rule 7: staff_not_at_window: 403 for a staffId of another window or unknown; OK for one serving here', async () => {
    const pad = await startTestCore();
    cleanup.push(() => pad.stop());
    putOnDuty(pad.core);
    for (const staffId of ['T0203', 'NOBODY']) {
      const r = await api(pad.core, 'POST', '/v1/evaluations', {
        cases: [oneCase(`SW-${staffId}`)],
        staffId,
      });
      expect(r).toMatchObject({ status: 403, body: { error: 'staff_not_at_window' } });
    }
    const ok = await api(pad.core, 'POST', '/v1/evaluations', {
      cases: [oneCase('SW-ok')],
      staffId: 'T0112',
    });
    expect(ok.status).toBe(201);
  });

  it('rule 5: offline, a 承诺件 is numbered from the pad’s own records and the log says so', async () => {
    const pad = await startTestCore();
    cleanup.push(() => pad.stop());
    putOnDuty(pad.core);
    const r = await api(pad.core, 'POST', '/v1/evaluations', { cases: [oneCase('CV-OFF', 2)] });
    expect(r.status).toBe(201);
    expect(pad.core.evaluations.get(String(r.body.evaluationId))?.cases[0]?.service_number).toBe(1);
    await expect
      .poll(() => {
        const file = join(pad.dir, 'logs', 'kiosk.log');
        return existsSync(file) ? readFileSync(file, 'utf8') : '';
      })
      .toContain('case visit look-up failed');
  });
});

describe('rule 12: configuration by environment', () => {
  it('rule 12: HCP__technician__code=482913 is the string the schema wants; numbers stay numbers', () => {
    const c = loadConfig({
      env: {
        HCP__technician__code: '482913',
        HCP__hall__windowNo: '12',
        HCP__hall__hallCode: '370900001',
        HCP__windowApi__port: '8711',
      },
    });
    expect(c.technician.code).toBe('482913');
    expect(c.hall).toMatchObject({ windowNo: '12', hallCode: '370900001' });
    expect(c.windowApi.port).toBe(8711);
  });
});
