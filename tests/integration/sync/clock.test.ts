import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPlatformSim, type PlatformSim } from '../../../platform-sim/index.js';
import { getMeta, type Db } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/tmp.js';
import { openPadDb, outboxStates, seedRecords, testSync } from '../../unit/sync/fixtures.js';

const DAY = 86_400_000;

describe('a pad clock off by a day', () => {
  let sim: PlatformSim;
  let db: Db;
  let dir: string;
  let cleanup: () => void;
  beforeEach(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = openPadDb(dir);
    sim = await startPlatformSim();
  });
  afterEach(async () => {
    await sim.close();
    db.close();
    cleanup();
  });

  it.each([DAY, -DAY])(
    'corrects from server time (skew %i ms): first request 401, retry succeeds, order kept',
    async (skew) => {
      const clock = { now: () => Date.now() + skew };
      seedRecords(db, 700);
      const s = testSync(db, dir, sim.url, { clock });
      const st = await s.syncNow();
      await s.stop();
      expect(st.pending).toBe(0);
      expect(outboxStates(db)).toEqual({ delivered: 700 });
      expect(sim.stats().auth.clockSkew).toBe(1); // exactly one: corrected after the first answer
      expect(Math.abs(s.clock.offsetMs() + skew)).toBeLessThan(2000);
      expect(Math.abs(s.clock.correctedNow() - Date.now())).toBeLessThan(2000);
      expect(Math.abs(Number(getMeta(db, 'clock_offset_ms')) + skew)).toBeLessThan(2000);
      const seqs = (
        sim.db.prepare('SELECT device_seq AS s FROM evaluations ORDER BY rowid').all() as Array<{ s: number }>
      ).map((r) => r.s);
      expect(seqs).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
      expect(sim.stats().chainBreaks).toEqual([]);

      // After a restart the persisted offset signs correctly from the first request.
      seedRecords(db, 5, { from: 700 });
      const again = testSync(db, dir, sim.url, { clock });
      await again.syncNow();
      await again.stop();
      expect(sim.stats().auth.clockSkew).toBe(1);
      expect(sim.stats().stored).toBe(705);
    },
  );
});
