import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDurability } from '../../harness/durability.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * The durability harness must not wait on a request to a pad it has killed. fetch can leave such a
 * request pending with nothing behind it: 6 of 160 one-kill runs of the durability benchmark ended
 * so here, with exit code 13 and no message. Here the window API answers nothing at all — a server
 * of the test's own that holds every request open — so only the pad's exit can end the harness's
 * request, and the harness must move on to the next kill.
 */
describe('the durability harness', () => {
  let server: Server | null = null;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = null;
    delete process.env.HCP_TEST_SILENT_API;
  });

  it('gives up the request in flight when the pad it went to exits', { timeout: 30_000 }, async () => {
    const held: number[] = [];
    server = createServer(() => held.push(Date.now())); // never answers
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    // The harness passes its environment on to the pad it starts.
    process.env.HCP_TEST_SILENT_API = `http://127.0.0.1:${address.port}`;
    const data = tempDir();
    // A stand-in pad: says it is ready at the silent API, then waits to be killed.
    const child = join(data.dir, 'silent-pad.mjs');
    writeFileSync(
      child,
      'process.stdout.write(`READY ${process.env.HCP_TEST_SILENT_API} token\\n`); setInterval(() => {}, 1000);\n',
    );
    const r = await runDurability({ dataDir: data.dir, childFile: child, kills: 3 });
    expect(r.kills).toBe(3);
    // Requests reached the silent API and were never answered (one a pad at most: one that the
    // kill overtakes on a loaded machine never arrives), and none held the harness.
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length).toBeLessThanOrEqual(3);
    expect(r.started).toBe(0);
    expect(r.lost).toEqual([]);
    data.cleanup();
  });
});
