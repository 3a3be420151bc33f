import { hash } from 'node:crypto';

/**
 * Canonical JSON as docs/protocols/platform-api.md §2 defines it for the hash chain: keys sorted at every
 * level, no spaces, values written as JSON.stringify writes them, absent fields left out.
 * `undefined` members are dropped (never written as null) so optional fields stay absent.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new TypeError('canonicalJson: value is not representable');
    return s;
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v)).join(',') + '}';
}

/** One-shot `crypto.hash`: several times cheaper per call than a createHash object (verifying a chain hashes every record). */
export function sha256Hex(text: string | Buffer): string {
  return hash('sha256', text, 'hex');
}

export const GENESIS_HASH = '0'.repeat(64);

/** hash = SHA-256 of the canonical JSON of the record without `hash` (prevHash included). */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}
