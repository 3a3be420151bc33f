import { canonicalJson, GENESIS_HASH } from '../src/domain/canonical.js';
import type { SimContext } from './context.js';
import { HttpError, type Answer } from './http-answer.js';
import { validateRecord } from './validate.js';

/** `POST /v1/evaluations:batch`: idempotent per batchId, one answer per record, the chain watched. */
export class SimUploads {
  constructor(private readonly ctx: SimContext) {}

  batch(deviceId: string, body: Buffer): Answer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'not_json');
    }
    const b = parsed as { batchId?: unknown; records?: unknown };
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, 'not_a_batch');
    if (typeof b.batchId !== 'string' || b.batchId.length < 1 || b.batchId.length > 64)
      throw new HttpError(400, 'batchId');
    if (!Array.isArray(b.records) || b.records.length === 0) throw new HttpError(400, 'records');
    if (b.records.length > this.ctx.limits.maxRecords) throw new HttpError(413, 'too_many_records');
    for (const r of b.records) {
      if (
        typeof r !== 'object' ||
        r === null ||
        Array.isArray(r) ||
        typeof (r as { evaluationId?: unknown }).evaluationId !== 'string'
      ) {
        throw new HttpError(400, 'record_not_an_object');
      }
    }
    const records = b.records as Array<Record<string, unknown>>;
    const batchId = b.batchId;
    const now = this.ctx.clock.now();
    const results = this.ctx.db.transaction(() => {
      const prior = this.ctx
        .stmt('SELECT device_id AS deviceId, results FROM batches WHERE batch_id = ?')
        .get(batchId) as { deviceId: string; results: string } | undefined;
      if (prior) {
        if (prior.deviceId !== deviceId) throw new HttpError(400, 'batch_id_in_use');
        this.ctx.counters().batchReplays += 1;
        return JSON.parse(prior.results) as unknown[];
      }
      this.ctx.counters().batches += 1;
      const out = records.map((r) => this.oneRecord(deviceId, batchId, r, now));
      this.ctx
        .stmt('INSERT INTO batches (batch_id, device_id, results, received_ms) VALUES (?, ?, ?, ?)')
        .run(batchId, deviceId, JSON.stringify(out), now);
      return out;
    })();
    return { status: 200, body: { results, serverTime: now } };
  }

  private oneRecord(deviceId: string, batchId: string, r: Record<string, unknown>, now: number) {
    const evaluationId = r.evaluationId as string;
    const reject = (code: string, message: string) => {
      this.ctx.counters().records.rejected += 1;
      this.ctx.db
        .prepare(
          'INSERT INTO rejections (evaluation_id, device_id, batch_id, code, message, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(evaluationId, deviceId, batchId, code, message, now);
      return { evaluationId, status: 'rejected', code, message };
    };
    const problem = validateRecord(r);
    if (problem) {
      this.noteChain(deviceId, r, now);
      return reject('invalid_field', problem);
    }
    const content = canonicalJson(r);
    const existing = this.ctx
      .stmt('SELECT content FROM evaluations WHERE evaluation_id = ?')
      .get(evaluationId) as { content: string } | undefined;
    if (existing) {
      if (existing.content === content) {
        this.ctx.counters().records.duplicate += 1;
        return { evaluationId, status: 'duplicate' };
      }
      return reject('conflict', 'evaluationId: stored before with other content');
    }
    this.noteChain(deviceId, r, now);
    if (r.status === 'rated') {
      const rated = this.ctx.db
        .prepare(
          `SELECT 1 FROM evaluations WHERE project_no = ? AND service_number = ? AND status = 'rated' LIMIT 1`,
        )
        .get(r.projectNo, r.serviceNumber);
      if (rated)
        return reject(
          'already_rated',
          '本次服务已存在评价 / a rated record exists for this projectNo and serviceNumber',
        );
    }
    this.ctx.db
      .prepare(
        `INSERT INTO evaluations (evaluation_id, device_id, device_seq, project_no, service_number, status, satisfaction, assess_time, content, batch_id, received_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        evaluationId,
        deviceId,
        r.deviceSeq,
        r.projectNo,
        r.serviceNumber,
        r.status,
        (r.satisfaction as number | undefined) ?? null,
        (r.assessTime as string | undefined) ?? null,
        content,
        batchId,
        now,
      );
    this.ctx.counters().records.accepted += 1;
    return { evaluationId, status: 'accepted' };
  }

  /** prevHash continuity per device across batches; a break is recorded, never a reason to refuse. */
  private noteChain(deviceId: string, r: Record<string, unknown>, now: number): void {
    if (typeof r.deviceSeq !== 'number' || typeof r.hash !== 'string' || typeof r.prevHash !== 'string')
      return;
    const head = (this.ctx
      .stmt('SELECT device_seq AS seq, hash FROM chain_heads WHERE device_id = ?')
      .get(deviceId) as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    if (r.deviceSeq <= head.seq) return;
    if (r.deviceSeq !== head.seq + 1 || r.prevHash !== head.hash) {
      this.ctx.db
        .prepare(
          'INSERT INTO chain_breaks (device_id, device_seq, expected_seq, expected_prev, got_prev, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(deviceId, r.deviceSeq, head.seq + 1, head.hash, r.prevHash, now);
    }
    this.ctx.db
      .prepare(
        'INSERT INTO chain_heads (device_id, device_seq, hash) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET device_seq = excluded.device_seq, hash = excluded.hash',
      )
      .run(deviceId, r.deviceSeq, r.hash);
  }
}
