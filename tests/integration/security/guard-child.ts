/** A process with the pad's guard that then throws where no handler catches (for the guard test). */
import { appendFileSync } from 'node:fs';
import { installProcessGuard } from '../../../src/host/process-guard.js';

const logFile = process.env.GUARD_LOG as string;
installProcessGuard({
  log: (msg, fields) => appendFileSync(logFile, JSON.stringify({ msg, ...fields }) + '\n'),
});
setTimeout(() => {
  if (process.env.GUARD_KIND === 'rejection') void Promise.reject(new Error('lost promise'));
  else throw new Error('escaped handler');
}, 10);
setTimeout(() => process.exit(0), 5000);
