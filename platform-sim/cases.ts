import type { SimDb } from './store.js';

export interface CaseVisit {
  serviceNumber: number;
  status: string;
  windowNo: string;
}

/**
 * GET /v1/cases/{projectNo}?hallCode= (platform-api 1.1 §3): the visits the platform holds for a
 * case, from any window, ascending; null when it holds none (404).
 */
export function caseVisits(db: SimDb, projectNo: string, hallCode: string | null): CaseVisit[] | null {
  const rows = db
    .prepare(
      `SELECT service_number AS serviceNumber, status, content FROM evaluations
       WHERE project_no = ? ORDER BY service_number, received_ms`,
    )
    .all(projectNo) as Array<{ serviceNumber: number; status: string; content: string }>;
  const visits: CaseVisit[] = [];
  for (const r of rows) {
    const rec = JSON.parse(r.content) as { windowNo?: string; hallCode?: string };
    if (hallCode !== null && rec.hallCode !== undefined && rec.hallCode !== hallCode) continue;
    visits.push({ serviceNumber: r.serviceNumber, status: r.status, windowNo: rec.windowNo ?? '' });
  }
  return visits.length > 0 ? visits : null;
}
