import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedKeys, saveConfigChange } from '../../src/config/config-file.js';
import { tempDir } from '../helpers/tmp.js';

describe('saveConfigChange', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const setup = () => {
    const t = tempDir('hcp-cfg-');
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ hall: { windowNo: '12' }, platform: { deviceSecret: 'old-secret' } }),
    );
    return { file, auditFile: join(t.dir, 'audit.log') };
  };

  it('writes the merged config 0600 and audits who changed which key, never a secret', () => {
    const { file, auditFile } = setup();
    const now = () => new Date('2026-12-02T09:00:00Z');
    const r = saveConfigChange({
      file,
      auditFile,
      who: 'technician',
      now,
      change: { hall: { windowNo: '7' }, platform: { deviceSecret: 'new-secret-value' } },
    });
    expect(r.changed).toEqual(['hall.windowNo', 'platform.deviceSecret']);
    expect(r.config.hall.windowNo).toBe('7');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const audit = readFileSync(auditFile, 'utf8');
    expect(audit).not.toContain('secret-value');
    expect(audit).not.toContain('old-secret');
    const lines = audit
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { t: '2026-12-02T09:00:00.000Z', who: 'technician', key: 'hall.windowNo', from: '12', to: '7' },
      { t: '2026-12-02T09:00:00.000Z', who: 'technician', key: 'platform.deviceSecret' },
    ]);
  });

  it('refuses an invalid change and leaves file and audit untouched', () => {
    const { file, auditFile } = setup();
    const before = readFileSync(file, 'utf8');
    expect(() =>
      saveConfigChange({ file, auditFile, who: 'technician', change: { windowApi: { port: 99999 } } }),
    ).toThrow(/windowApi.port/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(auditFile)).toBe(false);
  });

  it('a board of another kind replaces the section instead of merging into it', () => {
    const { file, auditFile } = setup();
    saveConfigChange({
      file,
      auditFile,
      who: 't',
      change: { board: { kind: 'serial', path: '/dev/hcp-board' } },
    });
    const r = saveConfigChange({ file, auditFile, who: 't', change: { board: { kind: 'simulated' } } });
    expect(r.config.board).toEqual({ kind: 'simulated' });
  });

  it('changedKeys lists leaves only, also of a section that is new', () => {
    expect(changedKeys({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 }, d: 4 })).toEqual(['a.c', 'd']);
    expect(changedKeys({}, { platform: { deviceSecret: 's', deviceId: 'x' } })).toEqual([
      'platform.deviceSecret',
      'platform.deviceId',
    ]);
  });
});
