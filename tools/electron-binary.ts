import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the Electron binary is, or why there is none. The `electron` package is installed for its
 * types with its download step off (package.json allowScripts), so on machines without internet
 * access the binary is simply absent.
 */
export function findElectronBinary(): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed (npm ci)' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      missing:
        'the Electron binary was not downloaded (its install script is off in package.json allowScripts; ' +
        'on a machine with internet access run `node node_modules/electron/install.js`)',
    };
  }
  const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin)
    ? { path: bin }
    : { missing: `Electron binary listed in path.txt is absent: ${bin}` };
}
