import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The simulator's PIN hashing: scrypt in the PHC form docs/protocols/platform-api.md §3 names,
 * `$scrypt$ln=14,r=8,p=1$<salt b64 unpadded>$<hash b64 unpadded>` with a 32-byte hash.
 * Kept here (not in src/domain/pin.ts) because the simulator stands for the platform.
 */
export const PHC_DEFAULTS = { ln: 14, r: 8, p: 1, saltBytes: 16, hashBytes: 32 } as const;

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

function derive(pin: string, salt: Buffer, ln: number, r: number, p: number, len: number): Buffer {
  const n = 2 ** ln;
  return scryptSync(pin.normalize('NFC'), salt, len, {
    N: n,
    r,
    p,
    maxmem: 128 * r * (n + 2) + 128 * r * p + 1024 * 1024,
  });
}

export function hashPin(pin: string, opts: { ln?: number; salt?: Buffer } = {}): string {
  const ln = opts.ln ?? PHC_DEFAULTS.ln;
  const { r, p } = PHC_DEFAULTS;
  const salt = opts.salt ?? randomBytes(PHC_DEFAULTS.saltBytes);
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(derive(pin, salt, ln, r, p, PHC_DEFAULTS.hashBytes))}`;
}

const PHC_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** False for a wrong PIN or a string that isn't this PHC form. */
export function verifyPin(pin: string, phc: string): boolean {
  const m = PHC_RE.exec(phc);
  if (!m) return false;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 1 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (hash.length < 16) return false;
  return timingSafeEqual(derive(pin, salt, ln, r, p, hash.length), hash);
}
