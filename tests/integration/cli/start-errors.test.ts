import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';

const root = join(import.meta.dirname, '../../..');

/** Runs `cli serve` until it prints its shell line or exits; returns what a technician would read. */
function serve(env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; stderr: string; started: boolean }>((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/host/cli.ts'), 'serve', ...args],
      { env: { ...process.env, HCP_QUIET: '1', HCP__windowApi__port: '0', ...env } },
    );
    let stderr = '';
    let started = false;
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (c.includes('hcp-kiosk platform')) {
        started = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => done({ code, stderr, started }));
  });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe('clear words for the usual mistakes at start', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const dir = () => {
    const t = tempDir('hcp-start-');
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it('a window API port already in use names windowApi.port', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await serve({ HCP__dataDir: dir(), HCP__windowApi__port: String(port) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} is already in use`);
      expect(r.stderr).toContain('windowApi.port');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      noStackTrace(r.stderr);
    } finally {
      busy.close();
    }
  });

  it('a data dir that cannot be created names dataDir', async () => {
    const d = dir();
    writeFileSync(join(d, 'not-a-folder'), 'x');
    const r = await serve({ HCP__dataDir: join(d, 'not-a-folder', 'data') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('set dataDir (HCP__dataDir)');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(r.stderr);
  });

  it('an unreadable config file names HCP_CONFIG', async () => {
    const d = dir();
    mkdirSync(join(d, 'config.json'));
    const r = await serve({ HCP__dataDir: d, HCP_CONFIG: join(d, 'config.json') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot be read (EISDIR)');
    expect(r.stderr).toContain('HCP_CONFIG');
    noStackTrace(r.stderr);
  });

  it('a missing serial device names board.path and the pad still starts', async () => {
    const r = await serve({
      HCP__dataDir: dir(),
      HCP__board: JSON.stringify({ kind: 'serial', path: '/dev/hcp-board-missing' }),
    });
    expect(r.started).toBe(true);
    expect(r.stderr).toContain('/dev/hcp-board-missing does not exist');
    expect(r.stderr).toContain('set board.path');
    noStackTrace(r.stderr);
  });
});
