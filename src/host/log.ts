import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** identical warnings/errors within this window are counted, not written */
export const REPEAT_WINDOW_MS = 10_000;

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface KioskLogger {
  write: (level: Level, msg: string, fields?: Record<string, unknown>) => void;
  close: () => void;
}

/**
 * JSON lines to `logs/kiosk.log`, rotated at `maxBytes` (one previous file kept), and to stderr.
 * Callers never pass comment text or anything that identifies a citizen (docs/protocols/rules.md); fields named
 * like personal data are dropped here as a second guard.
 */
export function createLogger(dir: string, opts: { level: Level; maxBytes: number }): KioskLogger {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kiosk.log');
  const quiet = process.env.HCP_QUIET === '1';
  const repeats = new Map<string, { sinceMs: number; suppressed: number }>();
  return {
    write(level, msg, fields) {
      if (ORDER[level] < ORDER[opts.level]) return;
      // A failure that repeats (a board resending a press the disk cannot store) is written once
      // per window with a count, so the log never becomes the thing that fills the disk.
      let repeated = 0;
      if (ORDER[level] >= ORDER.warn) {
        const key = `${level}\u0000${msg}`;
        const now = performance.now();
        const seen = repeats.get(key);
        if (seen && now - seen.sinceMs < REPEAT_WINDOW_MS) {
          seen.suppressed += 1;
          return;
        }
        repeated = seen?.suppressed ?? 0;
        if (repeats.size > 500) repeats.clear();
        repeats.set(key, { sinceMs: now, suppressed: 0 });
      }
      const safe: Record<string, unknown> = {};
      if (repeated > 0) safe.repeatedTimes = repeated;
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
