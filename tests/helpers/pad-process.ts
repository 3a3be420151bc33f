import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

const root = join(import.meta.dirname, '../..');
export const PROCESS_WINDOW_TOKEN = 'process-test-window-token-0123456789';

export interface PadProcess {
  child: ChildProcess;
  dataDir: string;
  /** the shell's URL including its token (read from the launch file, never from stdout) */
  shellUrl: string;
  windowApiUrl: string;
  stdout(): string;
  stderr(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * The pad as `npm start` runs it in the browser shell (core + shell server + embedded platform
 * simulator + simulated board), from the TypeScript sources, in a child process: what a crash
 * would take down is that process, so tests can check it is still there.
 */
export async function startPadProcess(env: Record<string, string> = {}): Promise<PadProcess> {
  const tmp = tempDir('hcp-proc-');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/host/cli.ts'), 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      HCP_QUIET: '1',
      HCP__dataDir: tmp.dir,
      HCP__windowApi__port: '0',
      HCP__windowApi__token: PROCESS_WINDOW_TOKEN,
      HCP__windowApi__rateLimitPerS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const lines = await new Promise<{ shell: string; api: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pad did not start:\n${out}\n${err}`)), 45_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const shell = /hcp-kiosk shell (\S+)/.exec(out);
      const api = /hcp-kiosk window-api (\S+)/.exec(out);
      if (shell && api) {
        clearTimeout(timer);
        resolve({ shell: shell[1] as string, api: api[1] as string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pad exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    child,
    dataDir: tmp.dir,
    shellUrl: shellUrlFrom(lines.shell),
    windowApiUrl: lines.api,
    stdout: () => out,
    stderr: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      tmp.cleanup();
    },
  };
}

/** The printed shell address is a launch file (the token stays out of stdout and `ps`). */
export function shellUrlFrom(printed: string): string {
  if (!printed.startsWith('file://')) return printed;
  const html = readFileSync(new URL(printed), 'utf8');
  const m = /data-url="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no URL in launch file ${printed}`);
  return (m[1] as string).replace(/&amp;/g, '&');
}
