import { describe, expect, it } from 'vitest';
import {
  decoyPhc,
  hashPin,
  INITIAL_AUTH_STATE,
  isLocked,
  nextAuthState,
  parsePhc,
  PIN_LOCK_MS,
  PinHashFormatError,
  verifyPin,
  verifyPinInPool,
  type AuthState,
} from '../../../src/domain/pin.js';

// Made independently with Python: hashlib.scrypt(b'246810', salt=b'0123456789abcdef', n=1024, r=8, p=1, dklen=32).
const PYTHON_PHC = '$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc';

describe('PIN verification against PHC strings', () => {
  it('accepts a PHC string made by another implementation', () => {
    expect(verifyPin('246810', PYTHON_PHC)).toBe(true);
    expect(verifyPin('246811', PYTHON_PHC)).toBe(false);
    expect(verifyPin('', PYTHON_PHC)).toBe(false);
  });

  it('verifyPinInPool answers as verifyPin, and rejects a malformed string as verifyPin throws', async () => {
    expect(await verifyPinInPool('246810', PYTHON_PHC)).toBe(true);
    expect(await verifyPinInPool('246811', PYTHON_PHC)).toBe(false);
    expect(await verifyPinInPool('', PYTHON_PHC)).toBe(false);
    const phc = hashPin('1234', { ln: 8, r: 4, p: 2 });
    expect(await verifyPinInPool('1234', phc)).toBe(true);
    await expect(verifyPinInPool('1234', '$scrypt$ln=10')).rejects.toBeInstanceOf(PinHashFormatError);
  });

  it('a decoy has the parameters asked for, a fresh salt and hash, and no PIN matches it', async () => {
    const decoy = decoyPhc({ ln: 10, r: 8, p: 1 });
    expect(parsePhc(decoy)).toMatchObject({ ln: 10, r: 8, p: 1 });
    expect(decoyPhc({ ln: 10, r: 8, p: 1 })).not.toBe(decoy);
    expect(await verifyPinInPool('decoy-pin', decoy)).toBe(false);
    expect(() => decoyPhc({ ln: 30, r: 8, p: 1 })).toThrow(PinHashFormatError);
  });

  it('round-trips hashPin with the default and custom parameters', () => {
    const phc = hashPin('1234', { ln: 10 });
    expect(phc).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(verifyPin('1234', phc)).toBe(true);
    expect(verifyPin('1235', phc)).toBe(false);
    expect(hashPin('1234', { ln: 10 })).not.toBe(phc); // fresh salt each time
    const def = hashPin('987654');
    expect(parsePhc(def)).toMatchObject({ ln: 14, r: 8, p: 1 });
    expect(verifyPin('987654', def)).toBe(true);
    expect(verifyPin('1234', hashPin('1234', { ln: 8, r: 4, p: 2 }))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another algorithm', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
    ['missing hash', '$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg'],
    [
      'params out of order',
      '$scrypt$r=8,ln=10,p=1$MDEyMzQ1Njc4OWFiY2RlZg$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc',
    ],
    [
      'padded base64',
      '$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc',
    ],
    [
      'non-canonical base64',
      '$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZh$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc',
    ],
    ['salt too short', '$scrypt$ln=10,r=8,p=1$c2FsdA$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc'],
    ['hash too short', '$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$aGFzaA'],
    ['ln 0', '$scrypt$ln=0,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc'],
    ['r 0', '$scrypt$ln=10,r=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc'],
    ['trailing space', PYTHON_PHC + ' '],
  ])('rejects a malformed PHC string clearly: %s', (_what, phc) => {
    expect(() => verifyPin('246810', phc)).toThrow(PinHashFormatError);
    expect(() => parsePhc(phc)).toThrow(/malformed PIN hash/);
  });

  it.each([
    ['N = 2^30 (128 GiB)', 'ln=30,r=8,p=1'],
    ['ln 21', 'ln=21,r=1,p=1'],
    ['128 MiB of memory', 'ln=17,r=8,p=1'],
    ['r too large', 'ln=10,r=999,p=1'],
    ['p too large', 'ln=10,r=8,p=999'],
    ['too much work', 'ln=16,r=8,p=4'],
  ])('refuses hostile parameters before allocating anything: %s', (_what, params) => {
    const phc = `$scrypt$${params}$MDEyMzQ1Njc4OWFiY2RlZg$P6qpjYIUxNvBiLQ5IYl+vygFMWi3uh3OU/mruXJ+jBc`;
    const t0 = Date.now();
    expect(() => verifyPin('246810', phc)).toThrow(PinHashFormatError);
    // Any of these would take seconds and gigabytes if it were attempted.
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('hashPin refuses parameters the verifier would refuse', () => {
    expect(() => hashPin('1234', { ln: 25 })).toThrow(PinHashFormatError);
    expect(() => hashPin('')).toThrow(RangeError);
  });
});

describe('lockout: 5 failures lock for 5 minutes', () => {
  const fail = (s: AuthState, t: number) => nextAuthState(s, false, t);

  it('locks on the 5th consecutive failure, for 5 minutes', () => {
    let s = INITIAL_AUTH_STATE;
    const t = 1_000_000;
    for (let i = 1; i <= 4; i++) {
      s = fail(s, t + i);
      expect(s).toEqual({ failures: i, lockedUntilMs: null });
      expect(isLocked(s, t + i)).toBe(false);
    }
    s = fail(s, t + 5);
    expect(s).toEqual({ failures: 5, lockedUntilMs: t + 5 + PIN_LOCK_MS });
    expect(PIN_LOCK_MS).toBe(300_000);
    expect(isLocked(s, t + 5 + PIN_LOCK_MS - 1)).toBe(true);
    expect(isLocked(s, t + 5 + PIN_LOCK_MS)).toBe(false);
  });

  it('a success resets the count; attempts while locked change nothing', () => {
    let s = fail(fail(INITIAL_AUTH_STATE, 1), 2);
    s = nextAuthState(s, true, 3);
    expect(s).toEqual({ failures: 0, lockedUntilMs: null });
    const locked: AuthState = { failures: 5, lockedUntilMs: 10_000 };
    expect(nextAuthState(locked, true, 5_000)).toEqual(locked);
    expect(nextAuthState(locked, false, 5_000)).toEqual(locked);
  });

  it('after the lock runs out there are 5 fresh attempts', () => {
    let s: AuthState = { failures: 5, lockedUntilMs: 10_000 };
    s = fail(s, 10_000);
    expect(s).toEqual({ failures: 1, lockedUntilMs: null });
    for (let i = 0; i < 3; i++) s = fail(s, 10_001 + i);
    expect(isLocked(s, 10_010)).toBe(false);
    s = fail(s, 10_020);
    expect(isLocked(s, 10_021)).toBe(true);
    expect(nextAuthState({ failures: 5, lockedUntilMs: 10_000 }, true, 20_000)).toEqual(INITIAL_AUTH_STATE);
  });
});
