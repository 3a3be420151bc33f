import { describe, expect, it } from 'vitest';
import { buildChild, runDurability } from '../../harness/durability.js';
import { tempDir } from '../../helpers/tmp.js';

const KILLS = Number(process.env.HCP_DURABILITY_KILLS ?? 200);

/**
 * SIGKILL the pad at random moments during a stream of ratings started through the window API:
 * every acknowledged rating must be in the database after restart, once, with its stars.
 */
describe('durability under SIGKILL', () => {
  it(`loses nothing over ${KILLS} kills`, { timeout: 600_000 }, async () => {
    const data = tempDir();
    const child = await buildChild();
    const r = await runDurability({ dataDir: data.dir, childFile: child, kills: KILLS });
    console.log(
      `durability: ${r.kills} kills, ${r.started} started, ${r.acknowledged} acknowledged, ${r.lost.length} lost, ${r.duplicates} duplicates, integrity ${r.integrity}, chain ${r.chainOk ? 'ok' : 'BROKEN'}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    expect(r.kills).toBe(KILLS);
    expect(r.acknowledged).toBeGreaterThan(KILLS / 2);
    expect(r.lost).toEqual([]);
    expect(r.wrongStars).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.integrity).toBe('ok');
    expect(r.chainOk).toBe(true);
    data.cleanup();
  });

  it(
    'catches a deliberately broken build that acknowledges before it commits',
    { timeout: 600_000 },
    async () => {
      const data = tempDir();
      const child = await buildChild();
      const r = await runDurability({ dataDir: data.dir, childFile: child, kills: 40, broken: true });
      console.log(`broken build: ${r.kills} kills, ${r.acknowledged} acknowledged, ${r.lost.length} lost`);
      expect(r.lost.length).toBeGreaterThan(0);
      data.cleanup();
    },
  );
});
