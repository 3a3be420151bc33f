import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { editableSettings, nextSections, pinnedKeys } from '../../../src/host/settings-view.js';

const base = (overrides: Record<string, unknown> = {}) =>
  loadConfig({
    env: {},
    overrides: {
      dataDir: '/nonexistent-hcp-unit',
      'windowApi.token': 'a-literal-token-from-somewhere-0123',
      'technician.code': '735194',
      ...overrides,
    },
  });

describe('a technician change as whole sections and as file keys', () => {
  it('the same board on another port keeps its pairing and baud rate', () => {
    const c = base({ board: { kind: 'serial', path: '/dev/ttyACM0', serialNumber: 'EVB1', baudRate: 9600 } });
    const { sections, fileChange } = nextSections(c, { board: { kind: 'serial', path: '/dev/ttyUSB0' } });
    expect(sections.board).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      serialNumber: 'EVB1',
    });
    expect(fileChange.board).toEqual(sections.board);
  });

  it('a printer of another kind drops the old kind’s address; the same kind keeps it', () => {
    const c = base({ printer: { kind: 'tcp', host: '10.0.0.9', port: 9100 } });
    const usb = nextSections(c, { printer: { kind: 'usb' } }).sections.printer;
    expect(usb).toEqual({ kind: 'usb', paperWidthMm: 80, qr: 'native', autoPrintUnrated: false });
    const narrow = nextSections(c, { printer: { kind: 'tcp', paperWidthMm: 58 } }).sections.printer;
    expect(narrow).toMatchObject({ kind: 'tcp', host: '10.0.0.9', port: 9100, paperWidthMm: 58 });
  });

  it('the file gets only the keys the technician changed, never the running token', () => {
    const c = base();
    const { sections, fileChange } = nextSections(c, {
      windowApi: { host: '127.0.0.1', port: 8711, allow: [] },
      timing: { rateTimeoutS: 60, thanksS: 4 },
    });
    expect(fileChange.windowApi).toEqual({ port: 8711 });
    expect(fileChange.timing).toEqual({ thanksS: 4 });
    expect(sections.windowApi?.token).toBe('a-literal-token-from-somewhere-0123');
    expect(JSON.stringify(fileChange)).not.toContain('a-literal-token');
  });

  it('secrets are shown as set / not set only', () => {
    const c = base();
    const s = editableSettings(c, {
      configFile: '/x/config.json',
      windowApiUrl: 'http://127.0.0.1:8710',
      timingInForce: { ...c.timing, rateTimeoutS: 30 },
      env: { HCP__windowApi__port: '0', HCP__log__level: 'debug' },
    });
    const text = JSON.stringify(s);
    expect(text).not.toContain('a-literal-token');
    expect(text).not.toContain('735194');
    expect(s.deviceSecret).toBe('not set'); // the demo secret
    expect(s.pinnedByEnv).toEqual(['windowApi.port']);
    expect(s.timingInForce.rateTimeoutS).toBe(30);
  });
});

describe('keys an environment variable sets at every start', () => {
  it('matches the variable’s key, a key under it and a section it sets whole', () => {
    const env = {
      HCP__windowApi__port: '0',
      HCP__board: '{"kind":"serial","path":"/dev/ttyACM0"}',
      PATH: '/bin',
    };
    expect(pinnedKeys(['windowApi.port', 'windowApi.host', 'board.path', 'timing.thanksS'], env)).toEqual([
      'windowApi.port',
      'board.path',
    ]);
    expect(pinnedKeys(['windowApi'], { HCP__windowApi__token: 'x' })).toEqual(['windowApi']);
  });
});
