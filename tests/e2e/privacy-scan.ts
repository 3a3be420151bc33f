import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** 18-digit resident ID numbers (last char may be X) and mainland mobile numbers. */
export const ID_NUMBER =
  /(?<![0-9A-Za-z])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])/;
export const MOBILE = /(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])/;

/** Scans every file of a data dir (database, WAL, logs) as text for personal-number patterns. */
export function scanForPersonalNumbers(dir: string): Array<{ file: string; kind: string; match: string }> {
  const hits: Array<{ file: string; kind: string; match: string }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(db|db-wal|db-shm|log|log\.1|json|token)$/.test(name) || name.endsWith('.db-wal')) {
        const text = readFileSync(p).toString('latin1');
        for (const [kind, re] of [
          ['id_number', ID_NUMBER],
          ['mobile', MOBILE],
        ] as const) {
          const m = new RegExp(re.source, 'g').exec(text);
          if (m) hits.push({ file: p, kind, match: m[0] });
        }
      }
    }
  };
  walk(dir);
  return hits;
}
