import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { DEMO_DEVICE_ID, isDemoDeviceSecret } from '../../../src/config/demo-identity.js';
import * as sim from '../../../platform-sim/index.js';

const DEMO_DEVICE_SECRET = sim.DEMO_DEVICE_SECRET;

const REAL = 'https://hcp.example.gov.cn/device-api';
const SECRET = Buffer.alloc(32, 9).toString('base64');

function load(overrides: Record<string, unknown>) {
  return loadConfig({ env: {}, overrides });
}

describe('provisioning secrets (finding: the demo secret signs uploads to a real platform)', () => {
  it('the demo secret, literally or by value, is refused for a real platform, naming platform.deviceSecret', () => {
    for (const deviceSecret of ['demo', DEMO_DEVICE_SECRET]) {
      expect(() =>
        load({
          'platform.baseUrl': REAL,
          'platform.deviceSecret': deviceSecret,
          'platform.deviceId': 'PAD-0012',
          'technician.code': '482913',
        }),
      ).toThrow(/platform\.deviceSecret/);
    }
  });

  it('the default deviceSecret (demo) is refused too when only baseUrl is set', () => {
    let err: unknown;
    try {
      load({ 'platform.baseUrl': REAL, 'platform.deviceId': 'PAD-0012', 'technician.code': '482913' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/platform\.deviceSecret/);
  });

  it('the demo device id is refused for a real platform', () => {
    expect(() =>
      load({ 'platform.baseUrl': REAL, 'platform.deviceSecret': SECRET, 'technician.code': '482913' }),
    ).toThrow(new RegExp(`platform\\.deviceId.*${DEMO_DEVICE_ID}`));
  });

  it('a provisioned pad never runs with the default technician code (finding: 000000)', () => {
    for (const code of [undefined, '000000', '123456', '777777', '4821']) {
      expect(() =>
        load({
          'platform.baseUrl': REAL,
          'platform.deviceSecret': SECRET,
          'platform.deviceId': 'PAD-0012',
          ...(code ? { 'technician.code': code } : {}),
        }),
      ).toThrow(/technician\.code/);
    }
    const ok = load({
      'platform.baseUrl': REAL,
      'platform.deviceSecret': SECRET,
      'platform.deviceId': 'PAD-0012',
      'technician.code': '482913',
    });
    expect(ok.platform.deviceSecret).toBe(SECRET);
  });

  it('the demo pad (embedded platform) still starts out of the box', () => {
    const c = load({});
    expect(c.platform.baseUrl).toBe('embedded');
    expect(c.platform.deviceSecret).toBe('demo');
  });

  it('a digits-only technician code from the environment stays text', () => {
    const c = loadConfig({ env: { HCP__technician__code: '048291' } });
    expect(c.technician.code).toBe('048291');
  });

  it('the window API bound beyond loopback needs an allow-list', () => {
    expect(() => load({ 'windowApi.host': '192.168.10.5' })).toThrow(/windowApi\.allow/);
    expect(
      load({ 'windowApi.host': '192.168.10.5', 'windowApi.allow': ['192.168.10.21'] }).windowApi.allow,
    ).toEqual(['192.168.10.21']);
  });

  it('the config keeps the same demo identity as the simulator', () => {
    expect(DEMO_DEVICE_ID).toBe(sim.DEMO_DEVICE_ID);
    expect(isDemoDeviceSecret(sim.DEMO_DEVICE_SECRET)).toBe(true);
    expect(isDemoDeviceSecret(Buffer.alloc(32, 9).toString('base64'))).toBe(false);
  });
});
