import { isIP } from 'node:net';
import { DEMO_DEVICE_ID, DEMO_TECHNICIAN_CODE, isDemoDeviceSecret } from './demo-identity.js';

/** The parts of the configuration whose defaults are only safe against the embedded demo platform. */
export interface ProvisioningView {
  platform: { baseUrl: string; deviceId: string; deviceSecret: string };
  technician: { code: string };
  windowApi: { host: string; allow: string[] };
}

/**
 * What a pad talking to a real platform must not run with: the published demo identity (anyone
 * could sign uploads and receipt QR codes with it), the default technician code, or a window API
 * on the LAN that any address may reach. Each problem names its setting.
 */
export function provisioningProblems(c: ProvisioningView): string[] {
  const problems: string[] = [];
  const real = c.platform.baseUrl !== 'embedded';
  if (real) {
    const secret = c.platform.deviceSecret;
    if (isDemoDeviceSecret(secret))
      problems.push(
        'platform.deviceSecret: 演示密钥只能用于内置模拟平台，请填写平台下发的设备密钥 / the demo secret is published; set the secret the platform issued for this pad',
      );
    else if (!/^[A-Za-z0-9+/]{43}=$/.test(secret) || Buffer.from(secret, 'base64').length !== 32)
      problems.push('platform.deviceSecret: 必须是 32 字节的 base64 / must be 32 bytes, base64');
    if (c.platform.deviceId === DEMO_DEVICE_ID)
      problems.push(
        `platform.deviceId: 演示设备号 ${DEMO_DEVICE_ID} 只能用于内置模拟平台 / the demo device id is only for the embedded platform`,
      );
    if (weakTechnicianCode(c.technician.code))
      problems.push(
        'technician.code: 已接入正式平台的评价器不能使用默认或过于简单的维护口令 / a provisioned pad needs its own technician code (6–12 digits, not 000000, 123456 or one digit repeated)',
      );
  }
  if (!isLoopbackHost(c.windowApi.host) && c.windowApi.allow.length === 0)
    problems.push(
      `windowApi.allow: 窗口接口绑定在 ${c.windowApi.host}，必须列出允许访问的业务系统地址 / bound beyond loopback, the window API needs a client allow-list`,
    );
  return problems;
}

export function weakTechnicianCode(code: string): boolean {
  if (code === DEMO_TECHNICIAN_CODE || code.length < 6) return true;
  if (/^(\d)\1+$/.test(code)) return true;
  return '01234567890123'.includes(code) || '98765432109876'.includes(code);
}

/** Hosts that keep a server on this machine only; anything else is "on a LAN". */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * Kiosk mode unless the configuration says otherwise: a pad provisioned for a real platform
 * stands in front of the public, so it opens full-screen with close vetoed by default; the
 * embedded demo platform means a developer's desk (decision 130).
 */
export function kioskMode(c: {
  shell: { kiosk?: boolean | undefined };
  platform: { baseUrl: string };
}): boolean {
  return c.shell.kiosk ?? c.platform.baseUrl !== 'embedded';
}
