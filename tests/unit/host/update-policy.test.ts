import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { updatesConfigSchema } from '../../../src/config/updates.js';
import {
  EMPTY_UPDATE_STATE,
  FAILED_AFTER_STARTS,
  beforeInstall,
  compareVersions,
  judgeInstall,
  judgeOffer,
  onHealthy,
  onStart,
  type UpdateState,
} from '../../../src/host/update-policy.js';
import { readUpdateState, writeUpdateState } from '../../../src/host/update-state.js';
import { tempDir } from '../../helpers/tmp.js';

const config = updatesConfigSchema.parse({ url: 'https://updates.hall.example/hcp' });
/** 2026-12-03 22:00 China Standard Time: inside the default install hours 20:00-07:00. */
const NIGHT = Date.UTC(2026, 11, 3, 14, 0);
/** 2026-12-03 10:00 CST: the hall is open. */
const DAY = Date.UTC(2026, 11, 3, 2, 0);
const quiet = { openEvaluation: false, pendingPrints: 0, lastBusyMs: NIGHT - 3600_000 };

describe('what the pad takes', () => {
  it('compares versions as releases are numbered', () => {
    expect(compareVersions('1.10.0', '1.9.3')).toBe(1);
    expect(compareVersions('1.2.0', '1.2.0')).toBe(0);
    expect(compareVersions('1.2.0-rc.1', '1.2.0')).toBe(-1);
    expect(compareVersions('2.0.0', '10.0.0')).toBe(-1);
    // pre-releases: identifiers one by one, numbers as numbers (semver.org §11)
    expect(compareVersions('1.2.3-beta-2', '1.2.3-beta-1')).toBe(1);
    expect(compareVersions('1.2.3-rc.10', '1.2.3-rc.9')).toBe(1);
    expect(compareVersions('1.2.3-rc.1', '1.2.3-rc.1.1')).toBe(-1);
    expect(compareVersions('1.2.3-1', '1.2.3-alpha')).toBe(-1);
  });

  it('takes a newer version, never the same or an older one', () => {
    expect(judgeOffer('1.3.0', '1.2.0', EMPTY_UPDATE_STATE, config)).toMatchObject({
      take: true,
      downgrade: false,
    });
    expect(judgeOffer('1.2.0', '1.2.0', EMPTY_UPDATE_STATE, config).take).toBe(false);
    expect(judgeOffer('1.1.9', '1.2.0', EMPTY_UPDATE_STATE, config).take).toBe(false);
  });

  it('never takes a version that failed on this pad', () => {
    const state: UpdateState = { ...EMPTY_UPDATE_STATE, badVersions: ['1.3.0'] };
    expect(judgeOffer('1.3.0', '1.2.0', state, config)).toMatchObject({ take: false, reason: /failed/ });
  });

  it("a technician's pin takes only that version, an older one too", () => {
    const pinned = { pinVersion: '1.1.0' };
    expect(judgeOffer('1.3.0', '1.2.0', EMPTY_UPDATE_STATE, pinned).take).toBe(false);
    expect(judgeOffer('1.1.0', '1.2.0', EMPTY_UPDATE_STATE, pinned)).toMatchObject({
      take: true,
      downgrade: true,
    });
  });
});

describe('when it installs', () => {
  it('installs at night when no citizen is served and the pad has been quiet', () => {
    expect(judgeInstall(quiet, config, NIGHT).install).toBe(true);
  });

  it('never during an open evaluation or a receipt being printed', () => {
    expect(judgeInstall({ ...quiet, openEvaluation: true }, config, NIGHT)).toMatchObject({
      install: false,
      reason: 'an evaluation is open',
    });
    expect(judgeInstall({ ...quiet, pendingPrints: 1 }, config, NIGHT)).toMatchObject({
      install: false,
      reason: 'a receipt is printing',
    });
  });

  it('a rollback from a failing version goes in at once, but never over an open evaluation', () => {
    const busyNow = { openEvaluation: false, pendingPrints: 0, lastBusyMs: DAY - 1000 };
    expect(judgeInstall(busyNow, config, DAY).install).toBe(false);
    expect(judgeInstall(busyNow, config, DAY, true).install).toBe(true);
    expect(judgeInstall({ ...busyNow, openEvaluation: true }, config, DAY, true).install).toBe(false);
  });

  it('not in service hours, and not right after the last evaluation', () => {
    expect(judgeInstall({ ...quiet, lastBusyMs: DAY - 3600_000 }, config, DAY).install).toBe(false);
    expect(judgeInstall({ ...quiet, lastBusyMs: NIGHT - 60_000 }, config, NIGHT).install).toBe(false);
    expect(judgeInstall({ ...quiet, lastBusyMs: NIGHT - 10 * 60_000 }, config, NIGHT).install).toBe(true);
  });
});

describe('a failed update rolls back', () => {
  const installed = beforeInstall(EMPTY_UPDATE_STATE, '1.2.0', '1.3.0', 5, NIGHT);

  it(`after ${FAILED_AFTER_STARTS} starts that never became healthy, to the version before`, () => {
    let state = installed;
    let verdict = onStart(state, '1.3.0', 5);
    for (let i = 1; i < FAILED_AFTER_STARTS; i++) {
      expect(verdict.rollbackTo).toBeNull();
      state = verdict.state;
      verdict = onStart(state, '1.3.0', 5);
    }
    expect(verdict.rollbackTo).toBe('1.2.0');
    expect(verdict.state.badVersions).toContain('1.3.0');
    // The server still offers 1.3.0 on the channel: refused; the rollback target is taken.
    expect(judgeOffer('1.3.0', '1.3.0', verdict.state, config).take).toBe(false);
    expect(judgeOffer('1.2.0', '1.3.0', verdict.state, config)).toMatchObject({
      take: true,
      downgrade: true,
    });
    // Back on 1.2.0 and healthy: the rollback is done; 1.3.0 stays refused.
    const back = onHealthy(onStart(verdict.state, '1.2.0', 5).state, '1.2.0');
    expect(back.rollbackTo).toBeNull();
    expect(judgeOffer('1.3.0', '1.2.0', back, config).take).toBe(false);
    expect(judgeOffer('1.3.1', '1.2.0', back, config).take).toBe(true);
  });

  it('not past a database migration the older version cannot read: a technician is called', () => {
    let state = installed;
    let verdict = onStart(state, '1.3.0', 6);
    for (let i = 1; i < FAILED_AFTER_STARTS; i++) verdict = onStart((state = verdict.state), '1.3.0', 6);
    expect(verdict.rollbackTo).toBeNull();
    expect(verdict.alert).toMatch(/migrated past what 1.2.0 reads/);
  });

  it('a version that came up healthy is kept, whatever happens later', () => {
    const healthy = onHealthy(onStart(installed, '1.3.0', 5).state, '1.3.0');
    let state = healthy;
    let verdict = onStart(state, '1.3.0', 5);
    for (let i = 0; i < 5; i++) verdict = onStart((state = verdict.state), '1.3.0', 5);
    expect(verdict.rollbackTo).toBeNull();
    expect(verdict.state.badVersions).toEqual([]);
  });
});

describe('the state file', () => {
  it('round-trips, and an unreadable file counts as empty', () => {
    const t = tempDir('hcp-update-');
    try {
      const file = join(t.dir, 'update-state.json');
      writeUpdateState(file, { ...EMPTY_UPDATE_STATE, badVersions: ['1.3.0'] });
      expect(readUpdateState(file).badVersions).toEqual(['1.3.0']);
      writeFileSync(file, '{"installing": 12');
      expect(readUpdateState(file)).toEqual(EMPTY_UPDATE_STATE);
      // What a newer version wrote, read by the older one after a rollback: the bad versions stay.
      writeFileSync(file, JSON.stringify({ badVersions: ['1.4.0'], fieldOfALaterRelease: true }));
      expect(readUpdateState(file).badVersions).toEqual(['1.4.0']);
    } finally {
      t.cleanup();
    }
  });
});
