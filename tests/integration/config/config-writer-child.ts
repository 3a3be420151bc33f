/**
 * Child of the config kill test: rewrites one config file as fast as it can, alternating two
 * versions, until it is killed. argv: file, then `atomic` or `naive` (plain writeFileSync).
 */
import { writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../src/config/config-file.js';

const [file = '', mode = 'atomic'] = process.argv.slice(2);
// Big enough that a write takes several system calls' time: a kill lands inside one often.
const version = (v: string) =>
  JSON.stringify({ version: v, hall: { hallName: v.repeat(100_000) }, platform: { deviceSecret: 'x' } }) +
  '\n';
const texts = [version('A'), version('B')];
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const text = texts[i % 2] as string;
  if (mode === 'naive') writeFileSync(file, text);
  else writeFileAtomic(file, text);
}
