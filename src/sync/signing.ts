import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hmacSm3, sm3, Sm3 } from './sm3.js';

/** Request signing of docs/protocols/platform-api.md §1, shared by the pad and the platform simulator. */

export type SignatureAlgorithm = 'hmac-sha256' | 'hmac-sm3';

export const HEADER = {
  device: 'x-hcp-device',
  time: 'x-hcp-time',
  nonce: 'x-hcp-nonce',
  signature: 'x-hcp-signature',
  serverTime: 'x-hcp-server-time',
} as const;

export function bodyDigest(algorithm: SignatureAlgorithm, body: Uint8Array): string {
  return algorithm === 'hmac-sm3'
    ? sm3(body).toString('hex')
    : createHash('sha256').update(body).digest('hex');
}

/** A body digest fed a piece at a time: the uploader hashes a batch as it reads it (batch-reader.ts). */
export interface BodyHasher {
  update(bytes: Uint8Array): void;
  /** The lowercase hex digest of everything fed; once. */
  digest(): string;
}

export function bodyHasher(algorithm: SignatureAlgorithm): BodyHasher {
  if (algorithm === 'hmac-sm3') {
    const h = new Sm3();
    return { update: (bytes) => void h.update(bytes), digest: () => h.digest().toString('hex') };
  }
  const h = createHash('sha256');
  return { update: (bytes) => void h.update(bytes), digest: () => h.digest('hex') };
}

export function stringToSign(
  method: string,
  pathWithQuery: string,
  timeMs: string,
  nonce: string,
  digest: string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timeMs}\n${nonce}\n${digest}`;
}

export function computeSignature(
  algorithm: SignatureAlgorithm,
  key: Uint8Array,
  method: string,
  pathWithQuery: string,
  timeMs: string,
  nonce: string,
  body: Uint8Array,
): string {
  return signatureOfDigest(algorithm, key, method, pathWithQuery, timeMs, nonce, bodyDigest(algorithm, body));
}

/** As computeSignature, from the body's digest (`bodyDigest`, or a BodyHasher's) instead of the body. */
export function signatureOfDigest(
  algorithm: SignatureAlgorithm,
  key: Uint8Array,
  method: string,
  pathWithQuery: string,
  timeMs: string,
  nonce: string,
  digest: string,
): string {
  const text = stringToSign(method, pathWithQuery, timeMs, nonce, digest);
  const mac =
    algorithm === 'hmac-sm3' ? hmacSm3(key, text) : createHmac('sha256', key).update(text, 'utf8').digest();
  return `${algorithm}:${mac.toString('hex')}`;
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Decodes a deviceSecret; throws unless it is base64 of exactly 32 bytes. */
export function decodeSecret(secretB64: string): Buffer {
  const key = Buffer.from(secretB64, 'base64');
  if (key.length !== 32 || key.toString('base64') !== secretB64.trim()) {
    throw new Error('deviceSecret must be the base64 of 32 bytes');
  }
  return key;
}

export interface SignedHeaders {
  'X-HCP-Device': string;
  'X-HCP-Time': string;
  'X-HCP-Nonce': string;
  'X-HCP-Signature': string;
}

export function signRequest(opts: {
  algorithm: SignatureAlgorithm;
  key: Uint8Array;
  deviceId: string;
  method: string;
  pathWithQuery: string;
  /** The body, or its digest computed beforehand (a large body hashed as it was built). */
  body: Uint8Array | { digest: string };
  timeMs: number;
  nonce?: string;
}): SignedHeaders {
  const time = String(Math.round(opts.timeMs));
  const nonce = opts.nonce ?? newNonce();
  const digest = 'digest' in opts.body ? opts.body.digest : bodyDigest(opts.algorithm, opts.body);
  return {
    'X-HCP-Device': opts.deviceId,
    'X-HCP-Time': time,
    'X-HCP-Nonce': nonce,
    'X-HCP-Signature': signatureOfDigest(
      opts.algorithm,
      opts.key,
      opts.method,
      opts.pathWithQuery,
      time,
      nonce,
      digest,
    ),
  };
}

/** Checks a presented `algorithm:hex` signature in constant time; either algorithm is accepted. */
export function verifySignature(
  presented: string,
  key: Uint8Array,
  method: string,
  pathWithQuery: string,
  timeMs: string,
  nonce: string,
  body: Uint8Array,
): boolean {
  const m = /^(hmac-sha256|hmac-sm3):([0-9a-f]{64})$/.exec(presented);
  if (!m) return false;
  const expected = computeSignature(
    m[1] as SignatureAlgorithm,
    key,
    method,
    pathWithQuery,
    timeMs,
    nonce,
    body,
  );
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
