import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { freeBytesOn } from './volume.js';

/**
 * A migration that rebuilds a table writes a copy of it first (migrations 4, 5, 7, 8): on a disk
 * without room for the copy it fails, its transaction is rolled back and the database stays whole
 * at the last schema reached. The pad cannot run on an older schema, so its start stops with what
 * the technician has to do (decision 213).
 */
export class MigrationNeedsSpaceError extends Error {
  readonly code = 'HCP_MIGRATION_NO_SPACE';
  constructor(
    /** the schema the database is whole at */
    readonly atVersion: number,
    readonly path: string,
    readonly databaseBytes: number,
    /** false when this start did not try again: no space was freed since the last attempt */
    readonly tried: boolean,
  ) {
    const mb = Math.max(1, Math.ceil(databaseBytes / 1_048_576));
    super(
      `数据库升级空间不足 / updating database ${path} past schema ${atVersion} ran out of disk space: ` +
        `free up to about the database's own size (${mb} MB) on the disk of ${dirname(path)}, then start the pad again. ` +
        `The database is whole at schema ${atVersion}` +
        (tried ? '.' : '; this start did not try again because no space was freed since the last attempt.'),
    );
    this.name = 'MigrationNeedsSpaceError';
  }
}

/**
 * Why a marker: a pad's service restarts it every few seconds, and each attempt would write up
 * to a table's size into the WAL before rolling back — eMMC wear for nothing. The marker beside
 * the database keeps the free space measured after the failed attempt; a start tries again only
 * when more is free than that.
 */
function markerPath(path: string): string {
  return `${path}.migration-no-space`;
}

/** Whether an earlier attempt ran out of space and nothing was freed since. */
export function stillNoSpace(path: string): boolean {
  let recorded: unknown;
  try {
    recorded = (JSON.parse(readFileSync(markerPath(path), 'utf8')) as { freeBytes?: unknown }).freeBytes;
  } catch {
    return false;
  }
  const now = freeBytesOn(dirname(path));
  return typeof recorded === 'number' && now !== null && now <= recorded;
}

export function recordNoSpace(path: string): void {
  try {
    writeFileSync(markerPath(path), JSON.stringify({ freeBytes: freeBytesOn(dirname(path)) }) + '\n');
  } catch {
    // A disk too full for these few bytes: the next start simply tries again.
  }
}

export function clearNoSpace(path: string): void {
  rmSync(markerPath(path), { force: true });
}
