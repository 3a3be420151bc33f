/**
 * The receipt QR token of docs/protocols/platform-api.md §6: lets the platform check a printed code offline,
 * before it has heard from the pad, using only the deviceSecret it provisioned.
 *
 * token = first 16 chars of unpadded base64url(HMAC-SHA256(secret,
 *         `projectNo\nserviceNumber\ndeviceId\nissuedEpochSeconds`)) + '.' + issuedEpochSeconds
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const MAC_CHARS = 16;

const secretB64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'deviceSecret must be base64')
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'deviceSecret must decode to 32 bytes');

const tokenFields = z.object({
  projectNo: z.string().min(1).max(50),
  serviceNumber: z.number().int().min(1),
  deviceId: z.string().min(1).max(64),
  deviceSecretB64: secretB64,
});

const issueInput = tokenFields.extend({ issuedEpochSeconds: z.number().int().min(0) });
export type IssueReceiptTokenInput = z.input<typeof issueInput>;

function mac(
  secret: Buffer,
  projectNo: string,
  serviceNumber: number,
  deviceId: string,
  issued: number,
): string {
  return createHmac('sha256', secret)
    .update(`${projectNo}\n${serviceNumber}\n${deviceId}\n${issued}`, 'utf8')
    .digest('base64url')
    .slice(0, MAC_CHARS);
}

export function issueReceiptToken(input: IssueReceiptTokenInput): string {
  const i = issueInput.parse(input);
  const secret = Buffer.from(i.deviceSecretB64, 'base64');
  return `${mac(secret, i.projectNo, i.serviceNumber, i.deviceId, i.issuedEpochSeconds)}.${i.issuedEpochSeconds}`;
}

const verifyInput = tokenFields.extend({
  token: z.string(),
  /** With both set, a token older than maxAgeSeconds (or issued > 300 s in the future) is refused. */
  nowEpochSeconds: z.number().int().optional(),
  maxAgeSeconds: z.number().int().positive().optional(),
});
export type VerifyReceiptTokenInput = z.input<typeof verifyInput>;

export type VerifyReceiptTokenResult =
  | { ok: true; issuedEpochSeconds: number }
  | { ok: false; reason: 'malformed' | 'bad_mac' | 'expired' | 'future' };

const TOKEN_RE = /^([A-Za-z0-9_-]{16})\.(0|[1-9][0-9]{0,15})$/;

export function verifyReceiptToken(input: VerifyReceiptTokenInput): VerifyReceiptTokenResult {
  const v = verifyInput.parse(input);
  const m = TOKEN_RE.exec(v.token);
  if (!m) return { ok: false, reason: 'malformed' };
  const issued = Number(m[2]);
  if (!Number.isSafeInteger(issued)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(
    mac(Buffer.from(v.deviceSecretB64, 'base64'), v.projectNo, v.serviceNumber, v.deviceId, issued),
  );
  const given = Buffer.from(m[1] ?? '');
  // Constant-time: the MAC is what an attacker would try to guess byte by byte.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_mac' };
  if (v.nowEpochSeconds !== undefined && v.maxAgeSeconds !== undefined) {
    if (issued > v.nowEpochSeconds + 300) return { ok: false, reason: 'future' };
    if (v.nowEpochSeconds - issued > v.maxAgeSeconds) return { ok: false, reason: 'expired' };
  }
  return { ok: true, issuedEpochSeconds: issued };
}

export interface ReceiptQrParams {
  projectNo: string;
  serviceNumber: number;
  deviceId: string;
  token: string;
}

/**
 * `{evaluationUrl}?p=…&s=…&d=…&t=…` (§6). Values are percent-encoded so a projectNo with `&` or
 * non-ASCII cannot break the query; a configured evaluationUrl that already has a query gets `&`.
 */
export function receiptQrUrl(evaluationUrl: string, p: ReceiptQrParams): string {
  const url = z.string().url().parse(evaluationUrl);
  const q =
    `p=${encodeURIComponent(p.projectNo)}&s=${encodeURIComponent(String(p.serviceNumber))}` +
    `&d=${encodeURIComponent(p.deviceId)}&t=${encodeURIComponent(p.token)}`;
  return `${url}${url.includes('?') ? '&' : '?'}${q}`;
}

/** The inverse of receiptQrUrl, for the platform simulator and tests. Null when a field is missing. */
export function parseReceiptQrUrl(text: string): (ReceiptQrParams & { evaluationUrl: string }) | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return null;
  }
  const p = u.searchParams.get('p');
  const s = u.searchParams.get('s');
  const d = u.searchParams.get('d');
  const t = u.searchParams.get('t');
  if (!p || !s || !d || !t || !/^[1-9][0-9]*$/.test(s)) return null;
  for (const k of ['p', 's', 'd', 't']) u.searchParams.delete(k);
  return { evaluationUrl: u.toString(), projectNo: p, serviceNumber: Number(s), deviceId: d, token: t };
}
