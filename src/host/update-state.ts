import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../config/config-file.js';
import { EMPTY_UPDATE_STATE, updateStateSchema, type UpdateState } from './update-policy.js';

/**
 * The updater's memory across restarts (`dataDir/update-state.json`): what was being installed,
 * how often the running version started without becoming healthy, which versions failed.
 * Written atomically; an unreadable file counts as empty (the pad must still start).
 */
export function readUpdateState(file: string): UpdateState {
  if (!existsSync(file)) return EMPTY_UPDATE_STATE;
  try {
    const parsed = updateStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : EMPTY_UPDATE_STATE;
  } catch {
    return EMPTY_UPDATE_STATE;
  }
}

export function writeUpdateState(file: string, state: UpdateState): void {
  writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', 0o600);
}
