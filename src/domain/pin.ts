import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Staff sign-in: PINs checked against the roster's PHC strings (docs/protocols/platform-api.md §3), the
 * lockout after repeated failures, and the badge convention.
 *
 * PHC format accepted (the only one the platform sends):
 *   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64 unpadded>$<hash, base64 unpadded>
 */

export class PinHashFormatError extends Error {
  constructor(detail: string) {
    super(`花名册中的密码格式无效 / malformed PIN hash in the staff roster: ${detail}`);
    this.name = 'PinHashFormatError';
  }
}

export interface ScryptPhc {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * The roster comes from the network: its parameters decide how much memory and CPU a sign-in
 * costs, so they are capped. 64 MiB of scrypt memory at most (128·N·r bytes), and N·r·p at most
 * 2^20 (about a second on a slow pad); ln=14,r=8,p=1 (16 MiB) is the usual choice.
 */
export const PHC_LIMITS = {
  lnMin: 1,
  lnMax: 20,
  rMax: 32,
  pMax: 16,
  maxMemBytes: 64 * 1024 * 1024,
  maxWork: 2 ** 20,
  saltBytes: [8, 64] as const,
  hashBytes: [16, 64] as const,
};

/** The one shape of a roster PIN hash (the store's schema checks it too); limits are checked by parsePhc. */
export const PHC_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function decodeB64Unpadded(text: string, what: string, [min, max]: readonly [number, number]): Buffer {
  const buf = Buffer.from(text, 'base64');
  // Node's decoder skips junk silently; round-tripping proves the text was canonical base64.
  if (buf.toString('base64').replace(/=+$/, '') !== text)
    throw new PinHashFormatError(`${what} is not unpadded base64`);
  if (buf.length < min || buf.length > max)
    throw new PinHashFormatError(`${what} must be ${min}..${max} bytes, is ${buf.length}`);
  return buf;
}

export function parsePhc(phc: string): ScryptPhc {
  if (typeof phc !== 'string') throw new PinHashFormatError('not a string');
  if (phc.length > 512) throw new PinHashFormatError('too long');
  const m = PHC_RE.exec(phc);
  if (!m) throw new PinHashFormatError('expected $scrypt$ln=<n>,r=<n>,p=<n>$<salt>$<hash>');
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const L = PHC_LIMITS;
  if (ln < L.lnMin || ln > L.lnMax)
    throw new PinHashFormatError(`ln must be ${L.lnMin}..${L.lnMax}, is ${ln}`);
  if (r < 1 || r > L.rMax) throw new PinHashFormatError(`r must be 1..${L.rMax}, is ${r}`);
  if (p < 1 || p > L.pMax) throw new PinHashFormatError(`p must be 1..${L.pMax}, is ${p}`);
  const n = 2 ** ln;
  if (128 * n * r > L.maxMemBytes)
    throw new PinHashFormatError(
      `parameters need ${(128 * n * r) >> 20} MiB, limit ${L.maxMemBytes >> 20} MiB`,
    );
  if (n * r * p > L.maxWork) throw new PinHashFormatError('parameters too expensive (N·r·p > 2^20)');
  const salt = decodeB64Unpadded(m[4] ?? '', 'salt', L.saltBytes);
  const hash = decodeB64Unpadded(m[5] ?? '', 'hash', L.hashBytes);
  return { ln, r, p, salt, hash };
}

function scryptOptions(phc: Omit<ScryptPhc, 'hash'>): { N: number; r: number; p: number; maxmem: number } {
  const n = 2 ** phc.ln;
  // OpenSSL counts V (128·r·(N+2)) and B (128·r·p); give it exactly what the capped params need.
  const maxmem = 128 * phc.r * (n + 2) + 128 * phc.r * phc.p + 1024 * 1024;
  return { N: n, r: phc.r, p: phc.p, maxmem };
}

function derive(pin: string, phc: Omit<ScryptPhc, 'hash'>, keyLen: number): Buffer {
  return scryptSync(pin.normalize('NFC'), phc.salt, keyLen, scryptOptions(phc));
}

/**
 * Whether `pin` matches the roster's PHC string. Throws PinHashFormatError for a malformed or
 * over-expensive string, so a broken roster entry shows as such instead of as a wrong PIN
 * (which would lock the staff member out for nothing).
 */
export function verifyPin(pin: string, phc: string): boolean {
  const parsed = parsePhc(phc);
  if (!plausiblePin(pin)) return false;
  return timingSafeEqual(derive(pin, parsed, parsed.hash.length), parsed.hash);
}

/** A PIN worth hashing: a string of 1..64 characters (anything else is simply wrong). */
function plausiblePin(pin: unknown): pin is string {
  return typeof pin === 'string' && pin.length > 0 && pin.length <= 64;
}

/**
 * verifyPin with scrypt on libuv's thread pool. A PIN check is tens of milliseconds of CPU here
 * and several times that on a pad's ARM board; on the event loop it held every key press, serial
 * frame and request of the pad for that long, at each sign-in, unlock and cancel (decision 226).
 * Rejects with PinHashFormatError as verifyPin throws it.
 */
export async function verifyPinInPool(pin: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (!plausiblePin(pin)) return false;
  const derived = await new Promise<Buffer>((resolve, reject) =>
    scrypt(pin.normalize('NFC'), parsed.salt, parsed.hash.length, scryptOptions(parsed), (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return timingSafeEqual(derived, parsed.hash);
}

/**
 * A PHC string with these parameters that no PIN matches: its hash is random bytes, not derived
 * from anything. A PIN checked against it costs what a check against a roster entry of the same
 * parameters costs, and making it costs nothing (hashPin would run scrypt on the event loop).
 */
export function decoyPhc(params: { ln: number; r: number; p: number }): string {
  const phc = phcString(params, randomBytes(16), randomBytes(32));
  parsePhc(phc);
  return phc;
}

/** `$scrypt$ln=…,r=…,p=…$<salt>$<hash>`, base64 without padding (the format parsePhc reads). */
function phcString(params: { ln: number; r: number; p: number }, salt: Buffer, hash: Buffer): string {
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Makes a PHC string (for tests, the simulator and provisioning tools). ln defaults to 14. */
export function hashPin(
  pin: string,
  opts: { ln?: number; r?: number; p?: number; salt?: Buffer } = {},
): string {
  if (pin.length === 0 || pin.length > 64) throw new RangeError('PIN must be 1..64 characters');
  const ln = opts.ln ?? 14;
  const r = opts.r ?? 8;
  const p = opts.p ?? 1;
  const salt = opts.salt ?? randomBytes(16);
  // Validate the parameters through the same parser the verifier uses (placeholder hash).
  parsePhc(phcString({ ln, r, p }, salt, Buffer.alloc(32)));
  return phcString({ ln, r, p }, salt, derive(pin, { ln, r, p, salt }, 32));
}

// ---- lockout -------------------------------------------------------------------------------

export interface AuthState {
  failures: number;
  lockedUntilMs: number | null;
}

export const MAX_PIN_FAILURES = 5;
export const PIN_LOCK_MS = 5 * 60_000;
export const INITIAL_AUTH_STATE: AuthState = { failures: 0, lockedUntilMs: null };

export function isLocked(state: AuthState, nowMs: number): boolean {
  return state.lockedUntilMs !== null && state.lockedUntilMs > nowMs;
}

/**
 * The stored state after one attempt. The 5th consecutive failure locks for 5 minutes; once a
 * lock has run out the count starts again from zero; a success clears everything. An attempt
 * while locked must be refused by the caller without a PIN check — if one is reported anyway it
 * changes nothing (a locked account can't extend or lift its lock by guessing).
 */
export function nextAuthState(state: AuthState, success: boolean, nowMs: number): AuthState {
  if (isLocked(state, nowMs)) return { ...state };
  if (success) return { ...INITIAL_AUTH_STATE };
  const before = state.lockedUntilMs !== null ? 0 : state.failures;
  const failures = before + 1;
  if (failures >= MAX_PIN_FAILURES) return { failures, lockedUntilMs: nowMs + PIN_LOCK_MS };
  return { failures, lockedUntilMs: null };
}

// ---- badges ------------------------------------------------------------------------------

/**
 * A badge's barcode holds a secret printed on the staff member's 工作证 (by convention it starts
 * with this prefix, so a scanner burst is told from a case number); the roster carries only its
 * SHA-256 (platform-api.md 1.1 §3). The text `HCP-STAFF:<工号>` of earlier versions is no
 * badge any more: anyone could type it.
 */
export const BADGE_PREFIX = 'HCP-STAFF:';
