import { z } from 'zod';
import { DAILY_HOURS_PATTERN } from '../api/citizen.js';

const dailyHours = z
  .string()
  .regex(DAILY_HOURS_PATTERN, 'expected "HH:MM-HH:MM" (China Standard Time), e.g. "22:00-07:00"');

const phrase = z.union([
  z.string().min(1).max(60),
  z
    .object({
      'zh-CN': z.string().min(1).max(60),
      en: z.string().min(1).max(80).optional(),
      'zh-TW': z.string().min(1).max(60).optional(),
    })
    .strict(),
]);

/** Defaults for halls that configure nothing: the commonest complaints, short enough for one tap. */
const DEFAULT_PHRASES = [
  { 'zh-CN': '等候时间太长', en: 'Waited too long', 'zh-TW': '等候時間太長' },
  { 'zh-CN': '服务态度不好', en: 'Unfriendly service', 'zh-TW': '服務態度不好' },
  { 'zh-CN': '材料要求没讲清楚', en: 'Documents needed were not explained', 'zh-TW': '材料要求沒講清楚' },
  { 'zh-CN': '需要多次跑腿', en: 'Had to come back several times', 'zh-TW': '需要多次跑腿' },
  { 'zh-CN': '办理速度慢', en: 'Slow processing', 'zh-TW': '辦理速度慢' },
];

/** The `citizen` section of the configuration (voice, attract screen, quick phrases). */
export const citizenConfigSchema = z
  .object({
    voice: z
      .object({
        enabled: z.boolean().default(true),
        volume: z.number().min(0).max(1).default(0.8),
        quietHours: dailyHours.nullable().default(null),
        reasonsReminderS: z.number().int().min(0).max(120).default(15),
      })
      .strict()
      .prefault({}),
    attract: z
      .object({
        afterS: z.number().int().min(0).max(86_400).default(90),
        serviceHours: dailyHours.nullable().default(null),
        scanUrl: z.url().max(300).nullable().default(null),
        info: z.array(z.string().min(1).max(80)).max(6).default([]),
      })
      .strict()
      .prefault({}),
    quickPhrases: z
      .array(phrase)
      .max(12)
      .default(DEFAULT_PHRASES)
      .transform((list) => list.map((p) => (typeof p === 'string' ? { 'zh-CN': p } : p))),
  })
  .strict();
