import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainBundleOptions } from '../../../tools/build.js';
import { tempDir } from '../../helpers/tmp.js';
import {
  missingNamedFiles,
  missingTargets,
  nativeModulesLeftInAsar,
  nativeProductionModules,
  readBuilderConfig,
  root,
} from './builder-config.js';

/** @electron/fuses' sentinel before the fuse wire (version 1, then its length, then one byte per fuse). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];

const report: string[] = [];
const note = (line: string) => report.push(line);

afterAll(() => {
  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(join(root, 'test-results/packaging-report.txt'), report.join('\n') + '\n');
  console.log(`packaging checks:\n  ${report.join('\n  ')}`);
});

describe('electron-builder.yml', () => {
  const cfg = readBuilderConfig();

  it('names no file that does not exist', () => {
    expect(missingNamedFiles(cfg)).toEqual([]);
    // The check itself: a config naming a missing after-install script is caught.
    expect(missingNamedFiles({ ...cfg, deb: { afterInstall: 'native/udev/after-install.sh' } })).toEqual([
      'deb.afterInstall names native/udev/after-install.sh, which does not exist',
    ]);
    note(
      `named files: all present (${cfg.deb?.afterInstall}, ${cfg.deb?.afterRemove}, ${cfg.nsis?.include}, icons)`,
    );
  });

  it('builds Linux AppImage and deb for x64 and arm64, and Windows NSIS', () => {
    expect(missingTargets(cfg)).toEqual([]);
    expect(missingTargets({ ...cfg, linux: { target: ['AppImage', 'deb'] } })).toEqual([
      'linux target AppImage for arm64 is missing',
      'linux target deb for arm64 is missing',
    ]);
    note('targets: linux AppImage x64+arm64, deb x64+arm64, win nsis x64');
  });

  it('unpacks every native production module from the asar', () => {
    const natives = nativeProductionModules();
    expect(natives).toEqual(expect.arrayContaining(['better-sqlite3', '@serialport/bindings-cpp']));
    expect(nativeModulesLeftInAsar(cfg, natives)).toEqual([]);
    expect(
      nativeModulesLeftInAsar({ ...cfg, asarUnpack: ['**/node_modules/@serialport/**'] }, natives),
    ).toContain('native module better-sqlite3 is not unpacked from the asar (add it to asarUnpack)');
    note(`native modules, all in asarUnpack: ${natives.join(', ')}`);
  });
});

/**
 * electron-builder itself, here without the Electron download: `--dir` with a stub Electron
 * distribution (electronDist), no native rebuild (no Electron headers here either). What it
 * checks is what goes into the app: the archive, the unpacked native modules, the resources.
 */
describe('electron-builder --dir with a stub Electron', () => {
  let out: { dir: string; cleanup: () => void };
  let appDir: string;
  let asarFile: string;
  let entries: string[];

  beforeAll(() => {
    if (
      !existsSync(join(root, 'dist/main/main.cjs')) ||
      !existsSync(join(root, 'dist/renderer/index.html'))
    ) {
      const b = spawnSync(process.execPath, ['--import', 'tsx', 'tools/build.ts', 'all'], { cwd: root });
      if (b.status !== 0) throw new Error(`build failed: ${String(b.stderr)}`);
    }
    out = tempDir('hcp-pack-');
    const stub = join(out.dir, 'electron-stub');
    mkdirSync(join(stub, 'resources'), { recursive: true });
    // The stub carries Electron's fuse wire as a real binary ships it (RunAsNode, NODE_OPTIONS,
    // --inspect on; cookie encryption, asar integrity, asar-only off), so electron-builder flips
    // the configured electronFuses in it as it would in Electron itself.
    writeFileSync(
      join(stub, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\necho "stub electron: packaging check only"\nexit 0\n# '),
        Buffer.from(FUSE_SENTINEL),
        Buffer.from([1, 8, 0x31, 0x30, 0x31, 0x31, 0x30, 0x30, 0x30, 0x31]),
        Buffer.from('\n'),
      ]),
    );
    chmodSync(join(stub, 'electron'), 0o755);
    const r = spawnSync(
      join(root, 'node_modules/.bin/electron-builder'),
      [
        '--linux',
        'dir',
        '--x64',
        '--publish',
        'never',
        `-c.electronDist=${stub}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${join(out.dir, 'release')}`,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' },
      },
    );
    if (r.status !== 0) throw new Error(`electron-builder failed:\n${r.stdout}\n${r.stderr}`);
    appDir = join(out.dir, 'release/linux-unpacked');
    asarFile = join(appDir, 'resources/app.asar');
    entries = listPackage(asarFile, { isPack: false }).map((e) => e.replaceAll('\\', '/'));
  }, 240_000);
  afterAll(() => out?.cleanup());

  it('puts the bundles, the renderer and the reference data in the archive', () => {
    for (const f of [
      '/dist/main/main.cjs',
      '/dist/main/preload.cjs',
      '/dist/renderer/index.html',
      '/assets/norms-2020.json',
      '/package.json',
    ])
      expect(entries, f).toContain(f);
    const pkg = JSON.parse(extractFile(asarFile, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect(existsSync(join(appDir, 'hcp-kiosk'))).toBe(true);
    note(
      `archive: ${entries.length} entries, ${(statSync(asarFile).size / 1e6).toFixed(1)} MB; main dist/main/main.cjs`,
    );
  });

  it('keeps every native addon outside the archive, and the bundles’ externals resolvable', () => {
    // The archive's index lists unpacked files too, flagged; none may be packed in.
    const addons = entries.filter((e) => e.endsWith('.node'));
    expect(addons.length).toBeGreaterThan(0);
    const packedIn = addons.filter(
      (e) =>
        !(
          'unpacked' in statFile(asarFile, e.slice(1)) &&
          (statFile(asarFile, e.slice(1)) as { unpacked?: boolean }).unpacked
        ),
    );
    expect(packedIn).toEqual([]);
    const unpacked = join(appDir, 'resources/app.asar.unpacked/node_modules');
    expect(existsSync(join(unpacked, 'better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(unpacked, '@serialport/bindings-cpp/prebuilds/linux-x64'))).toBe(true);
    // What the main bundle leaves to node_modules must be there (bufferutil & co. are optional).
    const optional = new Set(['electron', 'bufferutil', 'utf-8-validate']);
    for (const ext of mainBundleOptions.external.filter((e) => !optional.has(e))) {
      const prefix = `/node_modules/${ext.replace('/*', '/')}`;
      expect(
        entries.some((e) => e.startsWith(prefix)),
        ext,
      ).toBe(true);
    }
    note('native addons: none inside app.asar; better-sqlite3, @serialport/bindings-cpp, @resvg unpacked');
  });

  it('flips the fuses electron-builder.yml asks for in the packaged binary', () => {
    const bin = readFileSync(join(appDir, 'hcp-kiosk'));
    const at = bin.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    const wire = [...bin.subarray(at + 2, at + 2 + (bin[at + 1] ?? 0))];
    const fuses = Object.fromEntries(FUSE_NAMES.map((n, i) => [n, wire[i] === 0x31]));
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    note(`fuses in the packaged binary: ${JSON.stringify(fuses)}`);
  });

  it('leaves out what the bundles already contain', () => {
    for (const bundled of ['@fontsource', 'react', 'react-dom', 'zod', 'zustand'])
      expect(
        entries.some((e) => e.startsWith(`/node_modules/${bundled}/`)),
        bundled,
      ).toBe(false);
    expect(statSync(asarFile).size).toBeLessThan(30e6);
  });

  it('ships the kiosk session, the after-install tools and the udev rule as resources', () => {
    const res = join(appDir, 'resources/linux');
    expect(readdirSync(join(res, 'systemd')).sort()).toEqual([
      'hcp-kiosk-screen.service',
      'hcp-kiosk-screen.timer',
      'hcp-kiosk.service',
    ]);
    expect(readdirSync(join(res, 'bin')).sort()).toEqual([
      'hcp-kiosk-browser',
      'hcp-kiosk-screen',
      'hcp-kiosk-session',
    ]);
    expect(existsSync(join(res, 'udev/99-hcp-board.rules'))).toBe(true);
    note(
      `resources/linux: ${['systemd', 'bin', 'udev'].map((d) => `${d}/${readdirSync(join(res, d)).join(',')}`).join('; ')}`,
    );
  });
});
