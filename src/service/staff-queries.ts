import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { BadReviewItem, Figures, RecentEvaluation } from '../api/contract.js';
import { appealDeadline } from '../domain/appeal.js';
import { shippedCalendar, type WorkingDayCalendar } from '../domain/calendar.js';
import type { Clock } from '../domain/clock.js';
import { HELD_RECORD_SQL, HELD_SQL, staffFigures, windowFigures } from '../store/figures.js';
import { foldedRecent } from './evaluation/history.js';
import { evaluationIdOfRecordSql } from '../store/record-ids.js';
import { recordTextSql } from '../store/records.js';
import type { PlatformRecord } from '../domain/record.js';
import { cstDate, cstLastMonthStart, formatCst, parseCst } from '../domain/time.js';
import type { Db } from '../store/db.js';

/** What a staff member may see of their own work: aggregates after the fact, never a live rating. */
export class StaffQueries {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly appealWorkingDays: () => number,
    private readonly calendar: () => WorkingDayCalendar = () => shippedCalendar,
    /** server − pad: dates (today, appeal deadlines) are true CST dates (decision 195) */
    private readonly clockOffsetMs: () => number = () => 0,
  ) {}

  private figureOptions() {
    return {
      appealWorkingDays: this.appealWorkingDays(),
      calendar: this.calendar(),
      clockOffsetMs: this.clockOffsetMs(),
    };
  }

  /** Today's true CST date. */
  private today(): string {
    return cstDate(this.clock.now() + this.clockOffsetMs());
  }

  figures(staffId: string): { today: Figures; month: Figures } {
    return staffFigures(this.db, staffId, this.clock.now(), this.figureOptions());
  }

  /** Everything started at this window, whoever served (domain.md 三(二) "per window"). */
  windowFigures(windowNo: string): { today: Figures; month: Figures } {
    return windowFigures(this.db, windowNo, this.clock.now(), this.figureOptions());
  }

  /**
   * The staff member's bad reviews, each only once the citizen has gone: after the next
   * evaluation at that window started, or 30 minutes after it closed (anti-interference).
   */
  badReviews(staffId: string): BadReviewItem[] {
    const rows = this.db
      .prepare(
        `SELECT ${recordTextSql('r')} AS body, a.status AS appealStatus
         FROM records r LEFT JOIN evaluations e ON e.id = ${evaluationIdOfRecordSql('r.record_id')}
         LEFT JOIN appeals a ON a.record_id = r.record_id
         WHERE r.staff_id = @staffId AND r.status = 'rated' AND r.satisfaction <= 2
           AND NOT (CASE WHEN e.id IS NULL THEN ${HELD_RECORD_SQL} ELSE ${HELD_SQL} END)
         ORDER BY r.device_seq DESC LIMIT 100`,
      )
      .all({ staffId, now: this.clock.now() }) as Array<{ body: string; appealStatus: string | null }>;
    const today = this.today();
    return rows.map(({ body, appealStatus }) => {
      const rec = JSON.parse(body) as PlatformRecord;
      const deadline = this.deadlineOf(rec);
      let appealState: BadReviewItem['appealState'];
      if (appealStatus === 'accepted' || appealStatus === 'duplicate') appealState = 'accepted';
      else if (appealStatus === 'rejected') appealState = 'rejected';
      else if (appealStatus !== null) appealState = 'filed';
      else if (deadline === null) appealState = 'unknown_calendar';
      else appealState = today <= deadline ? 'open' : 'expired';
      return {
        recordId: rec.evaluationId,
        projectNo: rec.projectNo,
        taskName: rec.taskName,
        satisfaction: rec.satisfaction ?? 0,
        evalDetail: rec.evalDetail ? rec.evalDetail.split(',') : [],
        assessTime: rec.assessTime ?? rec.startedTime,
        appealDeadline: deadline,
        appealState,
      };
    });
  }

  private deadlineOf(rec: PlatformRecord): string | null {
    try {
      return appealDeadline(
        parseCst(rec.assessTime ?? rec.startedTime),
        this.appealWorkingDays(),
        this.calendar(),
      );
    } catch {
      return null; // the holiday calendar does not cover that year: say so rather than guess
    }
  }

  /**
   * The staff member's latest evaluations at this window, this month and last (decision 209):
   * bounded by time, the list reads those months by the start-time index even for a staff member
   * with fewer evaluations than the limit. Evaluations folded into their records (decision 220)
   * are read back from the records and take their places by start time.
   */
  recent(staffId: string, limit = 20): RecentEvaluation[] {
    const since = cstLastMonthStart(this.clock.now());
    const rows = this.db
      .prepare(
        `SELECT e.id AS id, e.state AS state, e.started_ms AS startedMs, e.receipt_prints AS prints,
                (SELECT group_concat(c.project_no, '|') FROM evaluation_cases c WHERE c.evaluation_id = e.id) AS projectNos,
                (SELECT group_concat(c.task_name, '|') FROM evaluation_cases c WHERE c.evaluation_id = e.id) AS taskNames
         FROM evaluations e
         WHERE e.started_ms >= ? AND e.staff_id = ? ORDER BY e.started_ms DESC LIMIT ?`,
      )
      .all(since, staffId, limit) as Array<{
      id: string;
      state: string;
      startedMs: number;
      prints: number;
      projectNos: string;
      taskNames: string;
    }>;
    const live = rows.map((r) => ({
      id: r.id,
      state:
        r.state === 'waiting' || r.state === 'reasons'
          ? ('waiting' as const)
          : r.state === 'cancelled'
            ? ('cancelled' as const)
            : ('done' as const),
      startedMs: r.startedMs,
      projectNos: r.projectNos.split('|'),
      taskNames: r.taskNames.split('|'),
      receiptPrints: r.prints,
    }));
    const folded = foldedRecent(this.db, staffId, since, limit);
    // Newest first, and among starts in the same millisecond by id, as the start-time index
    // (whose entries end with the id) gives the live rows.
    return [...live, ...folded]
      .sort((a, b) => b.startedMs - a.startedMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit)
      .map((r) => ({
        evaluationId: r.id,
        state: r.state,
        projectNos: r.projectNos,
        taskNames: r.taskNames,
        startedTime: formatCst(r.startedMs),
        receiptPrints: r.receiptPrints,
      }));
  }

  /**
   * The appeal and its outbox row are written together (platform-api.md §5). Where no calendar
   * covers the dates the pad cannot tell the deadline: it files anyway and the platform decides.
   */
  fileAppeal(
    staffId: string,
    recordId: string,
    reason: string,
  ): { appealId: string; deadline: string | null; platformDecides: boolean } {
    const now = this.clock.now();
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT ${recordTextSql('')} AS body, staff_id AS staffId FROM records WHERE record_id = ?`)
        .get(recordId) as { body: string; staffId: string } | undefined;
      if (!row || row.staffId !== staffId)
        throw new DomainError('not_found', '没有这条评价 / no such review of yours', 'recordId');
      const rec = JSON.parse(row.body) as PlatformRecord;
      if (rec.status !== 'rated' || (rec.satisfaction ?? 5) > 2)
        throw new DomainError(
          'not_bad_review',
          '只能对差评申诉 / only bad reviews can be appealed',
          'recordId',
        );
      const deadline = this.deadlineOf(rec);
      if (deadline !== null && this.today() > deadline)
        throw new DomainError(
          'deadline_passed',
          `申诉期限已过（${deadline}）/ the appeal deadline has passed`,
          'recordId',
        );
      if (this.db.prepare('SELECT 1 FROM appeals WHERE record_id = ?').get(recordId)) {
        throw new DomainError('already_appealed', '已提交过申诉 / an appeal was already filed', 'recordId');
      }
      const appealId = randomUUID();
      this.db
        .prepare(
          `INSERT INTO appeals (id, record_id, staff_id, reason, submitted_ms, deadline, status) VALUES (?, ?, ?, ?, ?, ?, 'queued')`,
        )
        .run(appealId, recordId, staffId, reason, now, deadline ?? '');
      this.db
        .prepare(`INSERT INTO outbox (kind, ref, urgent, created_ms) VALUES ('appeal', ?, 1, ?)`)
        .run(appealId, now);
      return { appealId, deadline, platformDecides: deadline === null };
    })();
  }
}
