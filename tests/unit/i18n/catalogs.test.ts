import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CITIZEN_LANGS } from '../../../src/api/citizen.js';
import { CATALOGS } from '../../../renderer/src/i18n/catalogs.js';

const rendererSrc = join(import.meta.dirname, '../../../renderer/src');
const citizenFiles = [
  ...readdirSync(join(rendererSrc, 'citizen')).map((f) => join(rendererSrc, 'citizen', f)),
  join(rendererSrc, 'App.tsx'),
  join(rendererSrc, 'components', 'Countdown.tsx'),
];
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('citizen message catalogs (renderer/src/i18n)', () => {
  const reference = CATALOGS['zh-CN'];

  for (const lang of CITIZEN_LANGS) {
    it(`${lang} has every key of zh-CN, no extra key, no empty text, the same placeholders`, () => {
      const catalog = CATALOGS[lang] as Record<string, string>;
      const missing = Object.keys(reference).filter((k) => !(k in catalog));
      const extra = Object.keys(catalog).filter((k) => !(k in reference));
      const empty = Object.entries(catalog)
        .filter(([, v]) => v.trim() === '')
        .map(([k]) => k);
      const wrongVars = Object.keys(reference).filter(
        (k) =>
          k in catalog &&
          placeholders(catalog[k] ?? '').join() !==
            placeholders(reference[k as keyof typeof reference]).join(),
      );
      expect({ missing, extra, empty, wrongVars }).toEqual({
        missing: [],
        extra: [],
        empty: [],
        wrongVars: [],
      });
    });
  }

  it('every key the citizen screens use exists in the catalogs', () => {
    const used = new Set<string>();
    for (const file of citizenFiles) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\b(?:t|sub|message)\(\s*'([a-zA-Z0-9_.-]+)'/g)) used.add(m[1] as string);
      for (const m of src.matchAll(/\bk="([a-zA-Z0-9_.-]+)"/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(20);
    const unknown = [...used].filter((k) => !(k in reference));
    expect(unknown).toEqual([]);
  });

  it('no citizen screen carries Chinese text outside the catalogs', () => {
    const offenders: string[] = [];
    for (const file of citizenFiles) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line
            .replace(/\/\/.*$/, '')
            .replace(/^\s*\*.*$/, '')
            .replace(/\/\*.*?\*\//g, '');
          if (/[\u3400-\u9fff]/.test(code) && !/\\u3400/.test(code))
            offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
