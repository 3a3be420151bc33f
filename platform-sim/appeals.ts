import type { SimContext } from './context.js';
import { HttpError, TIME_RE, type Answer } from './http-answer.js';

/** The device's heartbeat and the appeals against bad reviews (platform-api.md §4, §5). */
export class SimDeviceReports {
  constructor(private readonly ctx: SimContext) {}

  heartbeat(deviceId: string, body: Buffer): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'not_json');
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof (parsed as { appVersion?: unknown }).appVersion !== 'string'
    ) {
      throw new HttpError(400, 'not_a_heartbeat');
    }
    const now = this.ctx.clock.now();
    this.ctx
      .stmt('INSERT INTO heartbeats (device_id, body, received_ms) VALUES (?, ?, ?)')
      .run(deviceId, JSON.stringify(parsed), now);
    this.ctx.counters().heartbeats += 1;
    return { status: 200, body: { serverTime: now } };
  }

  appeal(deviceId: string, body: Buffer): Answer {
    let a: Record<string, unknown>;
    try {
      a = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'not_json');
    }
    const str = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
    if (
      typeof a !== 'object' ||
      a === null ||
      !str(a.appealId, 64) ||
      !str(a.evaluationId, 64) ||
      !str(a.staffId, 64) ||
      !str(a.reason, 500) ||
      typeof a.submittedTime !== 'string' ||
      !TIME_RE.test(a.submittedTime)
    ) {
      throw new HttpError(400, 'not_an_appeal');
    }
    this.ctx.counters().appeals += 1;
    const now = this.ctx.clock.now();
    const prior = this.ctx.stmt('SELECT status, code FROM appeals WHERE appeal_id = ?').get(a.appealId) as
      { status: string; code: string | null } | undefined;
    if (prior)
      return {
        status: 200,
        body:
          prior.status === 'rejected' ? { status: 'rejected', code: prior.code } : { status: 'duplicate' },
      };
    const answer = this.judgeAppeal(a);
    if (answer.status === 'duplicate') return { status: 200, body: answer };
    this.ctx.db
      .prepare(
        `INSERT INTO appeals (appeal_id, evaluation_id, device_id, staff_id, reason, submitted_time, status, code, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.appealId,
        a.evaluationId,
        deviceId,
        a.staffId,
        a.reason,
        a.submittedTime,
        answer.status,
        answer.code ?? null,
        now,
      );
    return { status: 200, body: answer };
  }

  private judgeAppeal(a: Record<string, unknown>): {
    status: 'accepted' | 'duplicate' | 'rejected';
    code?: string;
  } {
    const ev = this.ctx
      .stmt('SELECT status, satisfaction, assess_time AS assessTime FROM evaluations WHERE evaluation_id = ?')
      .get(a.evaluationId) as
      { status: string; satisfaction: number | null; assessTime: string | null } | undefined;
    if (!ev) return { status: 'rejected', code: 'unknown_evaluation' };
    if (ev.status !== 'rated' || ev.satisfaction === null || ev.satisfaction > 2 || ev.assessTime === null)
      return { status: 'rejected', code: 'not_bad_review' };
    if (
      this.ctx
        .stmt(`SELECT 1 FROM appeals WHERE evaluation_id = ? AND status = 'accepted'`)
        .get(a.evaluationId)
    )
      return { status: 'duplicate' };
    // The rating day does not count; the n-th working day after it is the last day to appeal.
    const deadline = this.ctx
      .calendar()
      .appealDeadline(ev.assessTime.slice(0, 10), this.ctx.limits.appealWorkingDays);
    if ((a.submittedTime as string).slice(0, 10) > deadline)
      return { status: 'rejected', code: 'deadline_passed' };
    return { status: 'accepted' };
  }
}
