/**
 * The pad's health as a technician needs it: facts in, findings out. `doctor` gathers the facts
 * from outside the running pad; the heartbeat gathers them inside it. Same rules for both.
 */
export interface HealthFacts {
  nowMs: number;
  board: { kind: string; state: string; detail: string };
  printer: { kind: string; state: string; detail: string };
  platform: {
    baseUrl: string;
    reachable: boolean | null;
    status: number | null;
    answer: string | null;
    clockOffsetMs: number | null;
  };
  disk: { freeBytes: number; totalBytes: number } | null;
  /** decommissionedMs: the pad handed its device id over (decision 200); absent = in service */
  db: { exists: boolean; integrity: string; schemaVersion: number | null; decommissionedMs?: number | null };
  outbox: { pending: number; rejected: number; oldestPendingMs: number | null };
  calendarYears: number[];
}

export interface Finding {
  key: 'board' | 'printer' | 'platform' | 'clock' | 'disk' | 'db' | 'outbox' | 'calendar';
  label: string;
  level: 'ok' | 'warn' | 'visit';
  text: string;
}

const MB = 1024 * 1024;
export const THRESHOLDS = {
  diskFreeBytes: 500 * MB,
  diskFreeFraction: 0.05,
  clockVisitMs: 300_000, // the platform refuses requests beyond 300 s (platform-api.md §1)
  clockWarnMs: 30_000,
  oldestPendingVisitMs: 24 * 3600_000,
};

export function assessHealth(f: HealthFacts): { findings: Finding[]; needsVisit: boolean } {
  const findings: Finding[] = [];
  const add = (key: Finding['key'], label: string, level: Finding['level'], text: string) =>
    findings.push({ key, label, level, text });

  const hw = (key: 'board' | 'printer', label: string, x: HealthFacts['board']) => {
    if (x.kind === 'none') add(key, label, 'ok', `not configured${x.detail ? ` (${x.detail})` : ''}`);
    else if (x.state === 'ok' || x.state === 'simulated' || x.state === 'present')
      add(key, label, 'ok', `${x.state}${x.detail ? `: ${x.detail}` : ''}`);
    else if (key === 'printer' && (x.state === 'paper_out' || x.state === 'cover_open'))
      add(key, label, 'warn', `${x.state}${x.detail ? `: ${x.detail}` : ''} (staff can fix it)`);
    else add(key, label, 'visit', `${x.state}${x.detail ? `: ${x.detail}` : ''}`);
  };
  hw('board', '评价器 board', f.board);
  hw('printer', '打印机 printer', f.printer);

  const p = f.platform;
  if (p.baseUrl === 'embedded')
    add('platform', '平台 platform', 'ok', 'embedded simulator (demo, not a real platform)');
  else if (p.reachable === null) add('platform', '平台 platform', 'warn', `${p.baseUrl}: not checked`);
  else if (!p.reachable)
    add('platform', '平台 platform', 'visit', `${p.baseUrl}: ${p.answer ?? 'no answer'}`);
  else if (p.status !== null && p.status >= 200 && p.status < 300)
    add('platform', '平台 platform', 'ok', `${p.baseUrl}: reachable, identity accepted`);
  else add('platform', '平台 platform', 'visit', `${p.baseUrl}: HTTP ${p.status} ${p.answer ?? ''}`.trim());

  if (p.clockOffsetMs === null) {
    if (p.baseUrl !== 'embedded')
      add('clock', '时钟 clock', 'warn', 'offset unknown (no answer from the platform)');
  } else {
    const s = Math.round(p.clockOffsetMs / 1000);
    const abs = Math.abs(p.clockOffsetMs);
    const text = `offset ${s >= 0 ? '+' : ''}${s} s to the platform`;
    add(
      'clock',
      '时钟 clock',
      abs > THRESHOLDS.clockVisitMs ? 'visit' : abs > THRESHOLDS.clockWarnMs ? 'warn' : 'ok',
      text,
    );
  }

  if (!f.disk) add('disk', '磁盘 disk', 'warn', 'free space unknown');
  else {
    const free = f.disk.freeBytes;
    const low = free < THRESHOLDS.diskFreeBytes || free < f.disk.totalBytes * THRESHOLDS.diskFreeFraction;
    add(
      'disk',
      '磁盘 disk',
      low ? 'visit' : 'ok',
      `${Math.round(free / MB)} MB free of ${Math.round(f.disk.totalBytes / MB)} MB`,
    );
  }

  if (!f.db.exists) add('db', '数据库 database', 'warn', 'no database yet (the pad has not run)');
  else if (f.db.decommissionedMs != null)
    add(
      'db',
      '数据库 database',
      'visit',
      `decommissioned ${new Date(f.db.decommissionedMs).toISOString()}: this pad will not start on it (docs/technician.md §6)`,
    );
  else
    add(
      'db',
      '数据库 database',
      f.db.integrity === 'ok' ? 'ok' : 'visit',
      `integrity ${f.db.integrity}, schema ${f.db.schemaVersion ?? '?'}`,
    );

  const o = f.outbox;
  const ageMs = o.oldestPendingMs === null ? null : f.nowMs - o.oldestPendingMs;
  const age = ageMs === null ? 'none' : formatAge(ageMs);
  const outboxLevel =
    o.rejected > 0 || (ageMs !== null && ageMs > THRESHOLDS.oldestPendingVisitMs) ? 'visit' : 'ok';
  add(
    'outbox',
    '待上传 records',
    outboxLevel,
    `${o.pending} pending, ${o.rejected} rejected, oldest pending ${age}`,
  );

  const year = new Date(f.nowMs + 8 * 3600_000).getUTCFullYear();
  const month = new Date(f.nowMs + 8 * 3600_000).getUTCMonth() + 1;
  const years = f.calendarYears;
  const known = years.length > 0 ? `${years[0]}–${years[years.length - 1]}` : 'none';
  if (!years.includes(year))
    add('calendar', '节假日 calendar', 'visit', `years known ${known}: ${year} missing`);
  else if (month >= 11 && !years.includes(year + 1))
    add(
      'calendar',
      '节假日 calendar',
      'warn',
      `years known ${known}: ${year + 1} not yet (published in the autumn)`,
    );
  else add('calendar', '节假日 calendar', 'ok', `years known ${known}`);

  return { findings, needsVisit: findings.some((x) => x.level === 'visit') };
}

function formatAge(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

export function formatReport(title: string, r: { findings: Finding[]; needsVisit: boolean }): string {
  const tag = { ok: 'ok   ', warn: 'WARN ', visit: 'VISIT' } as const;
  const lines = r.findings.map((x) => `  ${tag[x.level]}  ${x.label.padEnd(16)} ${x.text}`);
  const visits = r.findings.filter((x) => x.level === 'visit').length;
  const verdict = r.needsVisit
    ? `需要技术人员到场 / a visit is needed (${visits} finding${visits === 1 ? '' : 's'})`
    : '一切正常 / healthy, no visit needed';
  return [title, ...lines, verdict].join('\n') + '\n';
}
