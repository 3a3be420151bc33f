/** socat pty pair for tests: two linked ptys, like a null-modem cable. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export async function ptyPair(a: string, b: string): Promise<{ close(): Promise<void> }> {
  const p = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(fs.existsSync(a) && fs.existsSync(b))) {
    if (Date.now() > deadline || p.exitCode !== null) throw new Error('socat did not create the pty pair');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null) return resolve();
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      }),
  };
}
