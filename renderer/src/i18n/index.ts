import type { CitizenLang, QuickPhrase } from '../../../src/api/citizen.js';
import { useKiosk } from '../store.js';
import { CATALOGS, type MessageKey } from './catalogs.js';

export type { MessageKey };
export { CATALOGS };

function fill(text: string, vars?: Record<string, string | number>): string {
  return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
}

/** The text of `key` in `lang`, with `{name}` placeholders filled. */
export function message(lang: CitizenLang, key: MessageKey, vars?: Record<string, string | number>): string {
  return fill(CATALOGS[lang][key], vars);
}

/** A hall's quick phrase in the citizen's language, zh-CN where the hall gave no translation. */
export function phraseText(p: QuickPhrase, lang: CitizenLang): string {
  return p[lang] ?? p['zh-CN'];
}

/**
 * The citizen's language: `t` for the main line, `sub` for the small English second line that the
 * Chinese screens carry (null once the citizen switched to English).
 */
export function useT() {
  const lang = useKiosk((s) => s.lang);
  return {
    lang,
    t: (key: MessageKey, vars?: Record<string, string | number>) => message(lang, key, vars),
    sub: (key: MessageKey, vars?: Record<string, string | number>) =>
      lang === 'en' ? null : message('en', key, vars),
  };
}
