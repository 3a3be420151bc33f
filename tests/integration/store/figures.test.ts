import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffFigures, windowFigures, type Figures } from '../../../src/store/figures.js';
import type { UnsealedRecord } from '../../../src/domain/record.js';
import { parseCst } from '../../../src/domain/time.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { foldClosedEvaluations } from '../../../src/store/fold.js';
import { appendRecords } from '../../../src/store/records.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeRecord } from './chain-fixture.js';

const tmp = tempDir();
let db: Db;
const NOW = parseCst('2026-10-12 10:00:00'); // a Monday

interface CaseSpec {
  outcome: 'rated' | 'unrated' | 'cancelled' | null;
  sat?: number;
  /** false: the record was pruned by retention (or never made) */
  record?: boolean;
  /** an appeal row for this case's record */
  appeal?: string;
}

/** Inserts an evaluation with its cases and, where made, their sealed records. */
function evaluation(
  id: string,
  staffId: string,
  windowNo: string,
  startedCst: string,
  state: string,
  cases: CaseSpec[],
): void {
  const started = parseCst(startedCst);
  const rated = started + 40_000;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO evaluations (id, state, group_type, staff_id, staff_name, window_no, origin, started_ms, prompt_ms, closed_ms, norm_version)
       VALUES (?, ?, ?, ?, '某某', ?, 'staff_panel', ?, ?, ?, '2020.1')`,
    ).run(
      id,
      state,
      cases.length > 1 ? 'batch' : null,
      staffId,
      windowNo,
      started,
      started + 1000,
      state === 'waiting' ? null : rated,
    );
    const records: UnsealedRecord[] = [];
    cases.forEach((c, i) => {
      const recordId = cases.length > 1 ? `${id}-${i + 1}` : id;
      db.prepare(
        `INSERT INTO evaluation_cases (evaluation_id, idx, grouped, project_no, service_number, task_code, task_name, promise_type,
           chosen_satisfaction, chosen_source, chosen_ms, outcome)
         VALUES (?, ?, ?, ?, 1, 'T1', '事项', 1, ?, ?, ?, ?)`,
      ).run(
        id,
        i,
        cases.length > 1 ? 1 : 0,
        `P-${recordId}`,
        c.sat ?? null,
        c.sat ? 'key' : null,
        c.sat ? rated : null,
        c.outcome,
      );
      if ((c.outcome === 'rated' || c.outcome === 'unrated') && c.record !== false) {
        const isRated = c.outcome === 'rated';
        records.push(
          makeRecord(recordId, rated, {
            staffId,
            windowNo,
            startedTime: startedCst,
            status: c.outcome,
            satisfaction: isRated ? c.sat : undefined,
            evalDetail: isRated && (c.sat ?? 5) <= 2 ? '213' : undefined,
            inputSource: isRated ? 'key' : undefined,
            ...(isRated ? {} : { assessTime: undefined }),
          }),
        );
      }
      if (c.appeal) {
        db.prepare(
          `INSERT INTO appeals (id, record_id, staff_id, reason, submitted_ms, deadline, status) VALUES (?, ?, ?, '理由写清楚了', ?, '2026-10-15', ?)`,
        ).run(`ap-${recordId}`, recordId, staffId, rated + 3600_000, c.appeal);
      }
    });
    if (records.length > 0) appendRecords(db, records, rated);
  })();
}

/** The same evaluations with their working rows folded into their records (decision 220). */
let folded: Db;

beforeAll(() => {
  db = openDatabase(join(tmp.dir, 'figures.db'));
  populate();
  const unfolded = db;
  folded = openDatabase(join(tmp.dir, 'folded.db'));
  db = folded;
  populate();
  db = unfolded;
  // every closed evaluation, the ones closed this morning too: only e5, still waiting, stays
  foldClosedEvaluations(folded, { nowMs: parseCst('2026-11-02 12:00:00') });
});

function populate(): void {
  // ---- today, S1 at window 12
  evaluation('e1', 'S1', '12', '2026-10-12 08:30:00', 'rated', [{ outcome: 'rated', sat: 5 }]);
  evaluation('e2', 'S1', '12', '2026-10-12 08:40:00', 'rated', [
    { outcome: 'rated', sat: 4 },
    { outcome: 'rated', sat: 4 },
    { outcome: 'rated', sat: 4 },
  ]);
  evaluation('e3', 'S1', '12', '2026-10-12 08:50:00', 'rated', [{ outcome: 'rated', sat: 1 }]);
  // a 2-star without the required reasons: kept locally, sent as unrated
  evaluation('e4', 'S1', '12', '2026-10-12 09:00:00', 'unrated', [{ outcome: 'unrated', sat: 2 }]);
  evaluation('e5', 'S1', '12', '2026-10-12 09:59:50', 'waiting', [{ outcome: null }]);
  evaluation('e6', 'S1', '12', '2026-10-12 09:10:00', 'cancelled', [{ outcome: 'cancelled' }]);
  evaluation('e7', 'S1', '12', '2026-10-12 09:20:00', 'rated', [
    { outcome: 'rated', sat: 2, appeal: 'queued' },
  ]);
  // ---- today, S2 at window 12
  evaluation('e8', 'S2', '12', '2026-10-12 09:30:00', 'rated', [{ outcome: 'rated', sat: 3 }]);
  // ---- earlier this month, S1
  evaluation('m1', 'S1', '12', '2026-10-02 10:00:00', 'rated', [{ outcome: 'rated', sat: 1 }]); // deadline 10-10: expired
  evaluation('m2', 'S1', '12', '2026-10-09 10:00:00', 'rated', [
    { outcome: 'rated', sat: 2, appeal: 'accepted' },
  ]);
  evaluation('m3', 'S1', '12', '2026-10-09 11:00:00', 'rated', [
    { outcome: 'rated', sat: 1, appeal: 'rejected' },
  ]);
  evaluation('m4', 'S1', '7', '2026-10-05 10:00:00', 'rated', [{ outcome: 'rated', sat: 5 }]);
  evaluation('m5', 'S1', '12', '2026-10-06 10:00:00', 'rated', [{ outcome: 'rated', sat: 3, record: false }]); // pruned record
  evaluation('m6', 'S1', '12', '2026-10-11 23:59:30', 'rated', [{ outcome: 'rated', sat: 4 }]); // yesterday, CST
  evaluation('m7', 'S1', '12', '2026-10-01 00:00:00', 'rated', [{ outcome: 'unrated' }]); // first second of the month
  // ---- not this month
  evaluation('x1', 'S1', '12', '2026-09-30 23:59:59', 'rated', [{ outcome: 'rated', sat: 1 }]);
  evaluation('x2', 'S1', '12', '2026-11-01 00:00:00', 'rated', [{ outcome: 'rated', sat: 1 }]);
}
afterAll(() => {
  db.close();
  folded.close();
  tmp.cleanup();
});

const noAppeals = { open: 0, expired: 0, unknownCalendar: 0, filed: 0, accepted: 0, rejected: 0 };

describe('figures', () => {
  it('staff today: counts case records, rates over started and rated, bad reviews with appeal state', () => {
    const { today } = staffFigures(db, 'S1', NOW);
    expect(today).toEqual<Figures>({
      started: 9,
      rated: 6,
      unrated: 1,
      abandonedBad: 1,
      pending: 1,
      cancelled: 1,
      goodCount: 4,
      badCount: 2,
      coverageRate: 6 / 9,
      unratedRate: 1 / 9,
      satisfactionRate: 4 / 6,
      badAppeals: { ...noAppeals, open: 1, filed: 1 },
    });
  });

  it('staff this month: CST month boundaries, all windows, pruned records counted from the case rows', () => {
    const { month } = staffFigures(db, 'S1', NOW);
    expect(month).toEqual<Figures>({
      started: 16,
      rated: 12,
      unrated: 2,
      abandonedBad: 1,
      pending: 1,
      cancelled: 1,
      goodCount: 7,
      badCount: 5,
      coverageRate: 12 / 16,
      unratedRate: 2 / 16,
      satisfactionRate: 7 / 12,
      badAppeals: { ...noAppeals, open: 1, filed: 1, expired: 1, accepted: 1, rejected: 1 },
    });
  });

  it('the appeal period is configuration', () => {
    // with 5 working days m1 (10-02) is open until 10-14
    expect(staffFigures(db, 'S1', NOW, { appealWorkingDays: 5 }).month.badAppeals).toEqual({
      ...noAppeals,
      open: 2,
      filed: 1,
      accepted: 1,
      rejected: 1,
    });
  });

  it('per window: every staff member who worked there, only that window', () => {
    const w12 = windowFigures(db, '12', NOW);
    expect(w12.today).toMatchObject({
      started: 10,
      rated: 7,
      goodCount: 5,
      badCount: 2,
      cancelled: 1,
      abandonedBad: 1,
      coverageRate: 7 / 10,
      satisfactionRate: 5 / 7,
    });
    expect(w12.month).toMatchObject({ started: 16, rated: 12, goodCount: 7, badCount: 5 });
    const w7 = windowFigures(db, '7', NOW);
    expect(w7.today).toMatchObject({
      started: 0,
      rated: 0,
      coverageRate: null,
      unratedRate: null,
      satisfactionRate: null,
    });
    expect(w7.month).toMatchObject({
      started: 1,
      rated: 1,
      goodCount: 1,
      badCount: 0,
      coverageRate: 1,
      satisfactionRate: 1,
    });
  });

  it('nothing at all gives zeros and null rates', () => {
    expect(staffFigures(db, 'nobody', NOW).month).toEqual<Figures>({
      started: 0,
      rated: 0,
      unrated: 0,
      abandonedBad: 0,
      pending: 0,
      cancelled: 0,
      goodCount: 0,
      badCount: 0,
      coverageRate: null,
      unratedRate: null,
      satisfactionRate: null,
      badAppeals: noAppeals,
    });
  });

  it('"today" follows the CST day even near UTC midnight', () => {
    // 2026-10-12 00:30 CST is still 2026-10-11 in UTC: m6 (10-11 23:59:30 CST) is yesterday.
    const { today } = staffFigures(db, 'S1', parseCst('2026-10-12 00:30:00'));
    expect(today.started).toBe(9);
    const yesterday = staffFigures(db, 'S1', parseCst('2026-10-11 23:59:59')).today;
    expect(yesterday).toMatchObject({ started: 1, rated: 1, goodCount: 1 });
  });

  it('count the same once the working rows are folded into their records and day figures', () => {
    expect(folded.prepare('SELECT id FROM evaluations').all()).toEqual([{ id: 'e5' }]);
    const cases = [
      ['S1', NOW],
      ['S2', NOW],
      ['S1', parseCst('2026-10-12 00:30:00')],
      ['S1', parseCst('2026-10-11 23:59:59')],
      ['S1', parseCst('2026-11-01 08:00:00')],
      ['nobody', NOW],
    ] as const;
    for (const [staffId, at] of cases) {
      expect(staffFigures(folded, staffId, at), `${staffId} at ${at}`).toEqual(staffFigures(db, staffId, at));
      expect(staffFigures(folded, staffId, at, { appealWorkingDays: 5 })).toEqual(
        staffFigures(db, staffId, at, { appealWorkingDays: 5 }),
      );
    }
    for (const windowNo of ['12', '7', '3'])
      expect(windowFigures(folded, windowNo, NOW), windowNo).toEqual(windowFigures(db, windowNo, NOW));
    // the pruned record of m5 is counted from its case row when folded, as it was before
    expect(staffFigures(folded, 'S1', NOW).month.started).toBe(16);
  });

  it('a bad review whose deadline the holiday calendar cannot reach is counted as such', () => {
    evaluation('d1', 'S9', '3', '2026-12-24 15:00:00', 'rated', [{ outcome: 'rated', sat: 1 }]);
    expect(staffFigures(db, 'S9', parseCst('2026-12-24 16:00:00')).today.badAppeals).toEqual({
      ...noAppeals,
      unknownCalendar: 1,
    });
  });
});
