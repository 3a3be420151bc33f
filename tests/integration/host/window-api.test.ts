import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, putOnDuty, startTestCore } from '../../helpers/core.js';

type Pad = Awaited<ReturnType<typeof startTestCore>>;
let pad: Pad;
beforeEach(async () => {
  pad = await startTestCore();
});
afterEach(async () => pad.stop());

const single = (projectNo = '370900-2026-000123', promiseType = 1) => ({
  cases: [{ projectNo, taskCode: '370900-XK-0001', taskName: '个体工商户设立登记', promiseType }],
});
const count = (t: string) => (pad.core.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;

describe('window API (docs/protocols/window-api.md)', () => {
  it('needs the bearer token', async () => {
    const r = await api(pad.core, 'GET', '/v1/status', undefined, 'wrong-token');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('unauthorized');
  });

  it('nobody signed in → 423 no_staff; paused → 423 window_paused', async () => {
    expect((await api(pad.core, 'POST', '/v1/evaluations', single())).body).toMatchObject({
      error: 'no_staff',
    });
    putOnDuty(pad.core, 'T0107', 'paused');
    const r = await api(pad.core, 'POST', '/v1/evaluations', single());
    expect(r.status).toBe(423);
    expect(r.body.error).toBe('window_paused');
    expect(count('evaluations')).toBe(0);
  });

  it('a bad request names the field and stores nothing', async () => {
    putOnDuty(pad.core);
    const cases = [
      { body: { cases: [] }, field: 'cases' },
      { body: { cases: [{ ...single().cases[0], promiseType: 3 }] }, field: 'cases.0.promiseType' },
      { body: { cases: [single().cases[0], single('X-2').cases[0]] }, field: 'groupType' },
      { body: { ...single(), extra: 1 }, field: 'extra' },
    ];
    for (const c of cases) {
      const r = await api(pad.core, 'POST', '/v1/evaluations', c.body);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid');
      expect(String(r.body.message)).toContain(c.field);
    }
    const notJson = await api(pad.core, 'POST', '/v1/evaluations', '{"cases": [');
    expect(notJson.status).toBe(400);
    expect(count('evaluations')).toBe(0);
  });

  it('start → follow → the rating is never shown; busy while open; already_rated after', async () => {
    putOnDuty(pad.core);
    const r = await api(pad.core, 'POST', '/v1/evaluations', single());
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('waiting');
    const id = String(r.body.evaluationId);
    expect((await api(pad.core, 'POST', '/v1/evaluations', single('other'))).body.error).toBe('busy');
    pad.core.evaluations.press({ source: 'key', key: 5 });
    const g = await api(pad.core, 'GET', `/v1/evaluations/${id}`);
    expect(g.body).toMatchObject({ evaluationId: id, state: 'done' });
    expect(Object.keys(g.body).sort()).toEqual(['closedTime', 'evaluationId', 'startedTime', 'state']);
    const again = await api(pad.core, 'POST', '/v1/evaluations', single());
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('already_rated');
  });

  it('cancel only while waiting', async () => {
    putOnDuty(pad.core);
    const id = String((await api(pad.core, 'POST', '/v1/evaluations', single())).body.evaluationId);
    // window-api 1.1: a cancel names its reason
    expect((await api(pad.core, 'DELETE', `/v1/evaluations/${id}`)).status).toBe(400);
    expect((await api(pad.core, 'DELETE', `/v1/evaluations/${id}?reason=wrong_case`)).status).toBe(200);
    expect((await api(pad.core, 'GET', `/v1/evaluations/${id}`)).body.state).toBe('cancelled');
    expect((await api(pad.core, 'DELETE', `/v1/evaluations/${id}?reason=other`)).status).toBe(409);
    expect((await api(pad.core, 'GET', '/v1/evaluations/nope')).status).toBe(404);
  });

  it('status shows window, staff, board, printer and outbox', async () => {
    putOnDuty(pad.core);
    const s = await api(pad.core, 'GET', '/v1/status');
    expect(s.body).toMatchObject({
      window: { no: '12', state: 'on_duty' },
      staff: { staffId: 'T0107', name: '李明' },
      board: 'absent',
      printer: 'absent',
      outbox: { pending: 0, rejected: 0 },
    });
  });

  it('receipt without a printer → 503 printer_unavailable, evaluation unaffected', async () => {
    putOnDuty(pad.core);
    const id = String((await api(pad.core, 'POST', '/v1/evaluations', single())).body.evaluationId);
    const r = await api(pad.core, 'POST', `/v1/evaluations/${id}/receipt`);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'printer_unavailable', printer: 'absent' });
    expect((await api(pad.core, 'GET', `/v1/evaluations/${id}`)).body.state).toBe('waiting');
  });

  it('rate limit: more than 10 requests a second from one client → 429', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => api(pad.core, 'GET', '/v1/status')));
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });
});
