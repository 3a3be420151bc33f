import type { Logger } from './types.js';

export type { Logger };

/**
 * A part's own logger: every line keeps the level its part chose and names the part
 * (`board: line error`), so the pad's one log file can be read, and filtered, per part.
 */
export function childLogger(parent: Logger, part: string): Logger {
  return (level, msg, fields) => parent(level, `${part}: ${msg}`, fields);
}
