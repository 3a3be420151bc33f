import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from './data-dir.js';

export interface PadCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, colon-separated hex, as clients pin it */
  fingerprint256: string;
}

/**
 * The window API's own certificate: made once per data directory (ECDSA P-256, ten years, the
 * pad's device id as its name) and kept beside the database, key 0600. Clients pin its SHA-256
 * fingerprint, which the technician screen shows; no CA is involved.
 */
export async function padCertificate(dataDir: string, name: string): Promise<PadCertificate> {
  const keyFile = join(dataDir, 'window-api-tls.key');
  const certFile = join(dataDir, 'window-api-tls.crt');
  if (existsSync(keyFile) && existsSync(certFile)) {
    const key = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    try {
      return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
    } catch {
      // A damaged certificate is made again; clients then see a new fingerprint and must re-pin.
    }
  }
  // Loaded only when a certificate is made: a loopback-only pad never needs the X.509 code.
  const { generate } = await import('selfsigned');
  const made = await generate([{ name: 'commonName', value: name.slice(0, 64) || 'hcp-kiosk' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 86_400_000),
    notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
  });
  writePrivateFile(keyFile, made.private);
  writePrivateFile(certFile, made.cert);
  return {
    key: made.private,
    cert: made.cert,
    fingerprint256: new X509Certificate(made.cert).fingerprint256,
  };
}
