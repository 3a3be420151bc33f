import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { tempDir } from '../../helpers/tmp.js';

describe('config', () => {
  it('runs out of the box: simulated board, virtual printer, embedded platform', () => {
    const c = loadConfig({ env: {} });
    expect(c.board).toEqual({ kind: 'simulated' });
    expect(c.printer.kind).toBe('virtual');
    expect(c.platform.baseUrl).toBe('embedded');
    expect(c.timing.rateTimeoutS).toBe(60);
  });

  it('a bad field in the file stops the start with a message naming the field', () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ windowApi: { port: 'eighty' }, timing: { rateTimeoutS: 1 } }));
    try {
      loadConfig({ file, env: {} });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/windowApi\.port/);
      expect((err as Error).message).toMatch(/timing\.rateTimeoutS/);
    } finally {
      cleanup();
    }
  });

  it('a tcp printer without a host is refused, not sent to 127.0.0.1', () => {
    expect(() => loadConfig({ env: {}, overrides: { printer: { kind: 'tcp' } } })).toThrow(/printer\.host/);
    expect(() => loadConfig({ env: {}, overrides: { printer: { kind: 'tcp', host: ' ' } } })).toThrow(
      /printer\.host/,
    );
    const ok = loadConfig({ env: {}, overrides: { printer: { kind: 'tcp', host: '10.0.0.5', port: 9100 } } });
    expect(ok.printer.host).toBe('10.0.0.5');
  });

  it('an unknown key is an error, not silently ignored', () => {
    expect(() => loadConfig({ env: { HCP__windowAPI__port: '1' } })).toThrow(/windowAPI/);
  });

  it('environment overrides are parsed as JSON when they parse', () => {
    const c = loadConfig({
      env: { HCP__windowApi__port: '8711', HCP__board: '{"kind":"serial","path":"/dev/ttyACM0"}' },
    });
    expect(c.windowApi.port).toBe(8711);
    expect(c.board).toEqual({ kind: 'serial', path: '/dev/ttyACM0', serialNumber: null, baudRate: 115200 });
  });

  it('a file that is not JSON is named in the error', () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
    cleanup();
  });
});
