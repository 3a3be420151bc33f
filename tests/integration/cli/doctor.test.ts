import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BoardSimulator } from '../../../src/hardware/board/index.js';
import { PtyCable } from '../board/harness.js';
import { tempDir } from '../../helpers/tmp.js';
import { loadConfig } from '../../../src/config/config.js';
import { gatherHealthFacts } from '../../../src/host/doctor.js';
import { assessHealth, formatReport } from '../../../src/host/health.js';

const root = join(import.meta.dirname, '../../..');
const tsx = (...args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', ...args]];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts a program and resolves with the first stdout line matching `re`. */
function startUntil(cmd: readonly [string, string[]], env: NodeJS.ProcessEnv, re: RegExp) {
  const child = spawn(cmd[0], cmd[1], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = re.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

/** doctor's report in-process (the CLI prints the same; one CLI run below checks its exit code). */
async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const config = loadConfig({ env: { ...env } });
  const facts = await gatherHealthFacts(config);
  const r = assessHealth(facts);
  return {
    code: r.needsVisit ? 1 : 0,
    out: formatReport(`hcp-kiosk doctor — ${config.platform.deviceId}`, r),
  };
}

function doctorCli(env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const r = spawnSync(...tsx(join(root, 'src/host/cli.ts'), 'doctor'), {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, HCP_QUIET: '1', ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

const stop = (c: ChildProcess | undefined) =>
  new Promise<void>((r) => {
    if (!c || c.exitCode !== null || c.signalCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
  });

describe('doctor', () => {
  const t = tempDir('hcp-doctor-');
  const cable = new PtyCable();
  let sim: ChildProcess | undefined;
  let pad: ChildProcess | undefined;
  let board: BoardSimulator | undefined;
  afterAll(async () => {
    await stop(pad);
    await stop(sim);
    await board?.stop();
    await cable.dispose();
    t.cleanup();
  });

  it(
    'healthy pad: exit 0; board unplugged and platform down: exit 1 naming both',
    { timeout: 240_000 },
    async () => {
      const secret = randomBytes(32).toString('base64');
      const simDb = join(t.dir, 'sim.db');
      const started = await startUntil(
        tsx(
          join(root, 'platform-sim/main.ts'),
          '--port',
          '0',
          '--db',
          simDb,
          '--device',
          `PAD-DOC-7:${secret}:7`,
        ),
        {},
        /platform-sim listening (\S+)/,
      );
      sim = started.child;
      const baseUrl = started.match[1] as string;
      await cable.plug();
      board = new BoardSimulator({ serial: 'DOC00007' });
      await board.connectSerial(cable.board, 115200);
      const env = {
        HCP__dataDir: join(t.dir, 'pad'),
        HCP__platform__baseUrl: baseUrl,
        HCP__platform__deviceId: 'PAD-DOC-7',
        HCP__platform__deviceSecret: secret,
        HCP__platform__heartbeatIntervalS: '5',
        HCP__technician__code: '"482913"',
        HCP__board: JSON.stringify({ kind: 'serial', path: cable.host }),
        HCP__windowApi__port: String(await freePort()),
      };
      pad = (
        await startUntil(
          tsx(join(root, 'src/host/cli.ts'), 'serve'),
          { ...env, HCP_QUIET: '1' },
          /hcp-kiosk platform/,
        )
      ).child;

      let healthy = await doctor(env);
      for (let i = 0; i < 20 && healthy.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        healthy = await doctor(env);
      }
      console.log(`doctor on a healthy pad (exit ${healthy.code}):\n${healthy.out}`);
      expect(healthy.code).toBe(0);
      expect(healthy.out).toMatch(/ok +评价器 board +ok: as the running pad sees it/);
      expect(healthy.out).toMatch(
        /ok +平台 platform +http:\/\/127\.0\.0\.1:\d+: reachable, identity accepted/,
      );
      expect(healthy.out).toMatch(/ok +时钟 clock +offset [+-]\d+ s/);
      expect(healthy.out).toContain('healthy, no visit needed');

      // The heartbeat carried the same facts to the platform.
      let hb: { health?: { needsVisit: boolean; calendarYears: number[] } } | undefined;
      for (let i = 0; i < 60 && hb?.health?.needsVisit !== false; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const db = new Database(simDb, { readonly: true });
        const row = db.prepare('SELECT body FROM heartbeats ORDER BY received_ms DESC LIMIT 1').get() as
          { body: string } | undefined;
        db.close();
        hb = row ? (JSON.parse(row.body) as typeof hb) : undefined;
      }
      expect(hb?.health?.needsVisit).toBe(false);
      expect(hb?.health?.calendarYears).toContain(2026);

      // Board unplugged, platform down.
      await cable.unplug();
      await stop(sim);
      let visit = await doctor(env);
      for (let i = 0; i < 20 && !/VISIT +评价器 board/.test(visit.out); i++) {
        await new Promise((r) => setTimeout(r, 1000));
        visit = await doctor(env);
      }
      console.log(
        `doctor with the board unplugged and the platform down (exit ${visit.code}):\n${visit.out}`,
      );
      expect(visit.code).toBe(1);
      expect(visit.out).toMatch(/VISIT +评价器 board +absent/);
      expect(visit.out).toMatch(/VISIT +平台 platform +.*cannot be reached: ECONNREFUSED/);
      expect(visit.out).toContain('a visit is needed (2 findings)');
      // The command itself: the same report, exit 1.
      const cli = doctorCli(env);
      expect(cli.code).toBe(1);
      expect(cli.out).toMatch(/VISIT +评价器 board +absent/);
      mkdirSync(join(root, 'test-results'), { recursive: true });
      writeFileSync(join(root, 'test-results/doctor-output.txt'), `${healthy.out}\n${visit.out}`);
    },
  );
});
