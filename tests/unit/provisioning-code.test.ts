import { describe, expect, it } from 'vitest';
import { makeProvisioningCode, parseProvisioningCode } from '../../src/api/setup-contract.js';

describe('provisioning code HCP1', () => {
  const identity = {
    baseUrl: 'https://hcp.example.gov.cn/device-api',
    deviceId: '泰安-PAD-12',
    deviceSecret: 'Py5/T1Wrk712sq4TwP7tDtM4XGhTTTWv3E22ykONK4U=',
    windowNo: '12',
    signature: 'hmac-sm3' as const,
  };

  it('round-trips, also with non-ASCII ids and the line breaks of a file', () => {
    const code = makeProvisioningCode(identity);
    expect(code).toMatch(/^HCP1:[A-Za-z0-9_-]+$/);
    expect(parseProvisioningCode(code)).toEqual(identity);
    expect(parseProvisioningCode(`${code.slice(0, 40)}\r\n${code.slice(40)}\n`)).toEqual(identity);
  });

  it('refuses other text, damaged codes and unknown fields', () => {
    expect(() => parseProvisioningCode('370900-2026-000123')).toThrow(/not a provisioning code/);
    expect(() => parseProvisioningCode(makeProvisioningCode(identity).slice(0, -6))).toThrow(/damaged/);
    const extra =
      'HCP1:' + Buffer.from(JSON.stringify({ u: 'x', d: 'y', s: 'z', evil: 1 })).toString('base64url');
    expect(() => parseProvisioningCode(extra)).toThrow(/damaged/);
  });
});
