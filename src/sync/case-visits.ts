import { z } from 'zod';
import { jsonOf, TransportError, type PlatformClient } from './http.js';

const caseVisitsSchema = z.object({
  projectNo: z.string(),
  visits: z.array(
    z.object({
      serviceNumber: z.number().int().min(1),
      status: z.string().optional(),
      windowNo: z.string().optional(),
    }),
  ),
});

export type CaseVisitsAnswer = { ok: true; lastVisit: number } | { ok: false; reason: string };

/**
 * GET /v1/cases/{projectNo}?hallCode= (platform-api 1.1 §3): the highest visit number the
 * platform holds for a case, from any window or channel; 0 when it holds none (404). Bounded in
 * time: a start at the window waits at most `timeoutMs` for it, then numbers offline.
 */
export async function lookupCaseVisits(
  client: PlatformClient,
  projectNo: string,
  hallCode: string,
  timeoutMs: number,
): Promise<CaseVisitsAnswer> {
  const path = `/v1/cases/${encodeURIComponent(projectNo)}?hallCode=${encodeURIComponent(hallCode)}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CaseVisitsAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const ask = client
    .request('GET', path)
    .then((res): CaseVisitsAnswer => {
      if (res.status === 404) return { ok: true, lastVisit: 0 };
      if (res.status !== 200) return { ok: false, reason: `status ${res.status}` };
      const parsed = caseVisitsSchema.safeParse(jsonOf(res));
      if (!parsed.success) return { ok: false, reason: 'answer does not validate' };
      return { ok: true, lastVisit: Math.max(0, ...parsed.data.visits.map((v) => v.serviceNumber)) };
    })
    .catch((err: unknown): CaseVisitsAnswer => {
      if (err instanceof TransportError || err instanceof SyntaxError)
        return { ok: false, reason: err.message };
      return { ok: false, reason: (err as Error).message };
    });
  try {
    return await Promise.race([ask, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
