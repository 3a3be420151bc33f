import type { CitizenLang } from '../../../src/api/citizen.js';

/**
 * The voice prompts by file name: `<lang>/<id>.opus` under assets/voice (shipped) or
 * `<dataDir>/voice` (a hall's own, any of .opus .ogg .mp3 .wav), served at `/voice/<lang>/<id>`.
 * docs/ux.md lists them with their text and length.
 */
export const PROMPT_IDS = [
  'greeting',
  'window',
  'rate',
  'star-1',
  'star-2',
  'star-3',
  'star-4',
  'star-5',
  'reasons',
  'reasons-reminder',
  'thanks',
  'timeout',
  'paused',
  'digit-0',
  'digit-1',
  'digit-2',
  'digit-3',
  'digit-4',
  'digit-5',
  'digit-6',
  'digit-7',
  'digit-8',
  'digit-9',
  'num-10',
  'num-100',
] as const;
export type PromptId = (typeof PROMPT_IDS)[number];

const digit = (d: number) => `digit-${d}` as PromptId;

/** 1–999 read the Chinese way from pieces: 十二 = 十 二, 二十 = 二 十, 一百零五 = 一 百 零 五. */
function chineseNumber(n: number): PromptId[] {
  if (n < 10) return [digit(n)];
  if (n < 20) return ['num-10', ...(n % 10 ? [digit(n % 10)] : [])];
  if (n < 100) return [digit(Math.floor(n / 10)), 'num-10', ...(n % 10 ? [digit(n % 10)] : [])];
  const rest = n % 100;
  const tail: PromptId[] =
    rest === 0
      ? []
      : rest < 10
        ? ['digit-0', digit(rest)]
        : [digit(Math.floor(rest / 10)), 'num-10', ...(rest % 10 ? [digit(rest % 10)] : [])];
  return [digit(Math.floor(n / 100)), 'num-100', ...tail];
}

/**
 * The window number as prompts: Chinese numerals for 1–999 in zh-CN and zh-TW, digit by digit in
 * English and for anything else ("A3" → 三: letters have no prompt and are left out).
 */
export function windowNumberPrompts(windowNo: string, lang: CitizenLang): PromptId[] {
  const digits = windowNo.replace(/\D/g, '');
  if (!digits) return [];
  const n = Number(digits);
  if (lang !== 'en' && /^\d{1,3}$/.test(windowNo) && n >= 1 && n <= 999) return chineseNumber(n);
  return [...digits].map((d) => digit(Number(d)));
}

/** "您好，十二号窗口为您服务。请您对本次服务进行评价。" from its pieces. */
export function greetingPrompts(windowNo: string, lang: CitizenLang): PromptId[] {
  const number = windowNumberPrompts(windowNo, lang);
  return number.length ? ['greeting', ...number, 'window', 'rate'] : ['greeting', 'rate'];
}

export function starPrompt(star: number): PromptId | null {
  return star >= 1 && star <= 5 ? (`star-${star}` as PromptId) : null;
}
