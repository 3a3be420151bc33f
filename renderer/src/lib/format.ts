import { LEVEL_WORDS } from '../../../src/domain/levels.js';
/** 0.8765 → "87.7%"; null (nothing to divide) → "—". */
export function percent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** An age in ms as "3 分 20 秒" / "2 小时 5 分". */
export function formatAge(ms: number | null): string {
  if (ms === null || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分 ${s % 60} 秒`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} 小时 ${m % 60} 分`;
  return `${Math.floor(h / 24)} 天 ${h % 24} 小时`;
}

/** Epoch ms → "2026-03-02 14:05:09" in China Standard Time, whatever the machine's zone. */
export function formatCstTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The level words have one owner (src/domain/levels.ts); the renderer shows them as they are. */
export const STAR_WORDS: Record<number, { zh: string; en: string }> = LEVEL_WORDS;

export const WINDOW_STATE_WORDS: Record<string, { zh: string; en: string }> = {
  on_duty: { zh: '在岗', en: 'On duty' },
  paused: { zh: '暂停服务', en: 'Paused' },
  away: { zh: '离岗', en: 'Away' },
};

export const APPEAL_STATE_WORDS: Record<string, string> = {
  open: '可申诉',
  filed: '已申诉',
  accepted: '申诉成立',
  rejected: '申诉驳回',
  expired: '已过申诉期',
  unknown_calendar: '可申诉，期限由平台判定',
};

export const EVAL_STATE_WORDS: Record<string, string> = {
  waiting: '等待评价',
  done: '已结束',
  cancelled: '已撤销',
};
