import type { CitizenLang } from '../../../src/api/citizen.js';
import { en } from './en.js';
import { zhCN, type MessageKey } from './zh-CN.js';
import { zhTW } from './zh-TW.js';

export type { MessageKey };
/** One catalog per citizen language; tests/unit/i18n/catalogs.test.ts fails on a missing key. */
export const CATALOGS: Record<CitizenLang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en, 'zh-TW': zhTW };
