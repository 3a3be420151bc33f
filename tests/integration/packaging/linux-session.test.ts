import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { root } from './builder-config.js';

const linux = join(root, 'packaging/linux');

/**
 * The deb's after-install script run into a scratch root (DPKG_ROOT) with the user tools stubbed,
 * as dpkg would on a pad; then `systemd-analyze verify` over the units it installed.
 */
describe('after-install script and kiosk session units', () => {
  let t: { dir: string; cleanup: () => void };
  let rootDir: string;
  let calls: string;

  beforeAll(() => {
    t = tempDir('hcp-postinst-');
    rootDir = join(t.dir, 'root');
    // The installed package as electron-builder lays it out under /opt.
    const res = join(rootDir, 'opt/hcp-kiosk/resources/linux');
    cpSync(join(linux, 'bin'), join(res, 'bin'), { recursive: true });
    cpSync(join(linux, 'systemd'), join(res, 'systemd'), { recursive: true });
    mkdirSync(join(res, 'udev'), { recursive: true });
    copyFileSync(join(root, 'native/udev/99-hcp-board.rules'), join(res, 'udev/99-hcp-board.rules'));
    writeFileSync(join(rootDir, 'opt/hcp-kiosk/hcp-kiosk'), '#!/bin/sh\n', { mode: 0o755 });
    // User tools stubbed: they record their calls instead of changing this machine's users.
    const stubs = join(t.dir, 'stubs');
    mkdirSync(stubs);
    const log = join(t.dir, 'calls.log');
    const stub = (name: string, body = '') =>
      writeFileSync(join(stubs, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\n${body}\n`, {
        mode: 0o755,
      });
    stub('useradd');
    stub('usermod');
    stub('chown');
    stub('getent', '[ "$1" = group ] && exit 0; exit 2');
    const r = spawnSync('bash', [join(linux, 'after-install.sh')], {
      encoding: 'utf8',
      env: { ...process.env, DPKG_ROOT: rootDir, PATH: `${stubs}:${process.env.PATH ?? ''}` },
    });
    if (r.status !== 0) throw new Error(`after-install failed: ${r.stderr}`);
    calls = readFileSync(log, 'utf8');
  });
  afterAll(() => t?.cleanup());

  it('creates the service user and puts it in dialout (board) and lp (printer)', () => {
    expect(calls).toMatch(/^useradd --system .*--shell \/usr\/sbin\/nologin .*hcp-kiosk$/m);
    expect(calls).toContain('usermod -a -G dialout hcp-kiosk');
    expect(calls).toContain('usermod -a -G lp hcp-kiosk');
    expect(calls).toContain('chown -R hcp-kiosk:hcp-kiosk');
    expect(statSync(join(rootDir, 'var/lib/hcp-kiosk/data')).mode & 0o777).toBe(0o700);
  });

  it('installs the udev rule, the units, the session tools and the command', () => {
    expect(readFileSync(join(rootDir, 'etc/udev/rules.d/99-hcp-board.rules'), 'utf8')).toBe(
      readFileSync(join(root, 'native/udev/99-hcp-board.rules'), 'utf8'),
    );
    for (const u of ['hcp-kiosk.service', 'hcp-kiosk-screen.service', 'hcp-kiosk-screen.timer'])
      expect(existsSync(join(rootDir, 'etc/systemd/system', u)), u).toBe(true);
    for (const b of ['hcp-kiosk-session', 'hcp-kiosk-browser', 'hcp-kiosk-screen'])
      expect(statSync(join(rootDir, 'usr/libexec/hcp-kiosk', b)).mode & 0o111, b).toBe(0o111);
    expect(readlinkSync(join(rootDir, 'usr/bin/hcp-kiosk'))).toBe('/opt/hcp-kiosk/hcp-kiosk');
  });

  it('the session starts at boot in cage, restarts on death, runs as the service user', () => {
    const unit = readFileSync(join(linux, 'systemd/hcp-kiosk.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/cage .*-- \/usr\/libexec\/hcp-kiosk\/hcp-kiosk-session$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^User=hcp-kiosk$/m);
    expect(unit).toMatch(/^WantedBy=graphical.target$/m);
    expect(unit).toMatch(/^Environment=HCP__shell__kiosk=true$/m);
  });

  it('passes systemd-analyze verify', () => {
    // verify resolves ExecStart= binaries and dependencies inside --root: give it the system's
    // unit library and the compositor.
    mkdirSync(join(rootDir, 'usr/lib/systemd'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(rootDir, 'usr/lib/systemd/system'), { recursive: true });
    copyFileSync('/usr/bin/cage', join(rootDir, 'usr/bin/cage'));
    chmodSync(join(rootDir, 'usr/bin/cage'), 0o755);
    const verify = (units: string[]) =>
      spawnSync('systemd-analyze', ['verify', `--root=${rootDir}`, ...units], { encoding: 'utf8' });
    const units = ['hcp-kiosk.service', 'hcp-kiosk-screen.service', 'hcp-kiosk-screen.timer'].map((u) =>
      join(rootDir, 'etc/systemd/system', u),
    );
    const r = verify(units);
    console.log(
      `systemd-analyze verify ${units.map((u) => u.slice(rootDir.length)).join(' ')}: exit ${r.status}` +
        `${r.stdout + r.stderr ? `\n${r.stdout}${r.stderr}` : ', no findings'}`,
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The check can fail: a misspelt key is reported.
    const bad = join(rootDir, 'etc/systemd/system/hcp-kiosk-bad.service');
    writeFileSync(bad, readFileSync(units[0] as string, 'utf8').replace('Restart=always', 'Restrat=always'));
    expect(verify([bad]).stderr).toContain("Unknown key 'Restrat'");
  });

  it('the after-remove script takes back what after-install put outside /opt', () => {
    const r = spawnSync('bash', [join(linux, 'after-remove.sh')], {
      encoding: 'utf8',
      env: { ...process.env, DPKG_ROOT: rootDir },
    });
    expect(r.status).toBe(0);
    expect(existsSync(join(rootDir, 'etc/udev/rules.d/99-hcp-board.rules'))).toBe(false);
    expect(existsSync(join(rootDir, 'etc/systemd/system/hcp-kiosk.service'))).toBe(false);
    expect(existsSync(join(rootDir, 'var/lib/hcp-kiosk/data'))).toBe(true); // pending ratings stay
  });

  it('has no ${name} macros electron-builder would try to expand', () => {
    for (const f of ['after-install.sh', 'after-remove.sh'])
      expect(readFileSync(join(linux, f), 'utf8')).not.toMatch(/\$\{[a-zA-Z]+\}/);
  });
});

describe('screen during service hours', () => {
  it('switches the backlight on inside the hours and off outside them and on Sundays', () => {
    const t = tempDir('hcp-screen-');
    try {
      const bl = join(t.dir, 'sys/class/backlight/panel0');
      mkdirSync(bl, { recursive: true });
      writeFileSync(join(bl, 'bl_power'), '0\n');
      const apply = (now: string) => {
        const r = spawnSync('bash', [join(linux, 'bin/hcp-kiosk-screen'), 'apply'], {
          encoding: 'utf8',
          env: {
            ...process.env,
            HCP_SYSFS: join(t.dir, 'sys'),
            HCP_SCREEN_NOW: now,
            HCP_SCREEN_CONF: '/nonexistent',
          },
        });
        expect(r.status).toBe(0);
        return readFileSync(join(bl, 'bl_power'), 'utf8').trim();
      };
      expect(apply('3 09:00')).toBe('0');
      expect(apply('3 18:45')).toBe('4');
      expect(apply('6 08:00')).toBe('0');
      expect(apply('7 10:00')).toBe('4');
      expect(apply('1 07:59')).toBe('4');
    } finally {
      t.cleanup();
    }
  });
});
