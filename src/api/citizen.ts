/**
 * What the citizen side of the pad may be configured to do (voice, attract screen, quick phrases),
 * as the core hands it to the renderer in every snapshot, and the one rule both sides apply to the
 * hall's daily hours (quiet hours for the voice, service hours for the attract screen's dimming).
 */

export const CITIZEN_LANGS = ['zh-CN', 'en', 'zh-TW'] as const;
export type CitizenLang = (typeof CITIZEN_LANGS)[number];

/** A phrase the hall configures, in zh-CN and optionally the other citizen languages. */
export type QuickPhrase = { 'zh-CN': string; en?: string; 'zh-TW'?: string };

export interface CitizenSettings {
  voice: {
    enabled: boolean;
    /** 0–1, applied to every prompt */
    volume: number;
    /** "HH:MM-HH:MM" (China Standard Time) when the pad stays silent; may span midnight */
    quietHours: string | null;
    /** the reasons step's spoken reminder this many seconds before it runs out (0 = none) */
    reasonsReminderS: number;
  };
  attract: {
    /** idle seconds before the attract screen (0 = never) */
    afterS: number;
    /** "HH:MM-HH:MM" (CST); outside it the attract screen dims. null = always in service */
    serviceHours: string | null;
    /** the hall's 扫码评价 link shown as a QR code; null = the receipt hint only */
    scanUrl: string | null;
    /** lines of service information (opening hours, phone, …) */
    info: string[];
  };
  quickPhrases: QuickPhrase[];
}

export const DAILY_HOURS_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Is `atMs` inside the daily span "HH:MM-HH:MM" in China Standard Time (start inclusive, end
 * exclusive; a span whose end is before its start runs over midnight; equal ends = never)?
 */
export function withinDailyHours(span: string, atMs: number): boolean {
  const m = DAILY_HOURS_PATTERN.exec(span);
  if (!m) return false;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  const cst = new Date(atMs + 8 * 3600_000);
  const now = cst.getUTCHours() * 60 + cst.getUTCMinutes();
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** Is the voice to be heard at `atMs` (enabled, audible, not in quiet hours)? */
export function voiceActive(voice: CitizenSettings['voice'], atMs: number): boolean {
  if (!voice.enabled || voice.volume <= 0) return false;
  return voice.quietHours === null || !withinDailyHours(voice.quietHours, atMs);
}
