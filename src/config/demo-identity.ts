import { createHash } from 'node:crypto';

/**
 * The demo platform identity of the embedded simulator (a separate program). Its secret is
 * published, so it must never sign anything for a real platform; the pad carries only its
 * SHA-256, to recognise it without shipping it (`provisioning.ts` refuses it; a test keeps this
 * equal to the simulator's).
 */
export const DEMO_DEVICE_ID = 'PAD-DEMO-12';
const DEMO_DEVICE_SECRET_SHA256 = 'eaa74e779ba78c851ec6489c72a8d8d07f056fd8ebc98d103e982c947599c211';
/** The technician code of an unprovisioned (demo) pad. */
export const DEMO_TECHNICIAN_CODE = '000000';

export function isDemoDeviceSecret(secret: string): boolean {
  return (
    secret === 'demo' ||
    createHash('sha256').update(secret.trim()).digest('hex') === DEMO_DEVICE_SECRET_SHA256
  );
}
