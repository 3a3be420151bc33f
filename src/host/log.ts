import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface KioskLogger {
  write: (level: Level, msg: string, fields?: Record<string, unknown>) => void;
  close: () => void;
}

/**
 * JSON lines to `logs/kiosk.log`, rotated at `maxBytes` (one previous file kept), and to stderr.
 * Callers never pass comment text or anything that identifies a citizen (domain.md); fields named
 * like personal data are dropped here as a second guard.
 */
export function createLogger(dir: string, opts: { level: Level; maxBytes: number }): KioskLogger {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kiosk.log');
  const quiet = process.env.HCP_QUIET === '1';
  return {
    write(level, msg, fields) {
      if (ORDER[level] < ORDER[opts.level]) return;
      const safe: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields ?? {})) {
        if (/comment|writing|phone|mobile|idcard|citizen/i.test(k)) continue;
        safe[k] = v;
      }
      const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...safe }) + '\n';
      try {
        if (existsSync(file) && statSync(file).size > opts.maxBytes) renameSync(file, file + '.1');
        appendFileSync(file, line);
      } catch {
        // Logging must never take the pad down (a full disk is reported by the heartbeat instead).
      }
      if (!quiet && ORDER[level] >= ORDER.info) process.stderr.write(line);
    },
    close() {},
  };
}
