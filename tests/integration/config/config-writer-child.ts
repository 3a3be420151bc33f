/**
 * Child of the config kill test: changes one config file as fast as it can, alternating two
 * versions, until it is killed. argv: file, then `atomic` (the pad's own path: saveConfigChange,
 * audit line included) or `naive` (plain writeFileSync, to see the test fail).
 */
import { writeFileSync } from 'node:fs';
import { saveConfigChange } from '../../../src/config/config-file.js';

const [file = '', mode = 'atomic', auditFile = `${file}.audit`] = process.argv.slice(2);
// Big enough that a write takes several system calls' time: a kill lands inside one often. The
// big value is a secret's, so the audit line names the key only.
const version = (v: string) => ({
  hall: { hallName: `version ${v}` },
  platform: { deviceSecret: v.repeat(100_000) },
});
const versions = [version('A'), version('B')];
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const change = versions[i % 2] as ReturnType<typeof version>;
  if (mode === 'naive') writeFileSync(file, JSON.stringify(change, null, 2) + '\n');
  else saveConfigChange({ file, change, who: 'technician', auditFile });
}
