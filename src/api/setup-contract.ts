/**
 * The setup screen's API (first start of a pad, or `--setup`): what the renderer may send and the
 * provisioning code it reads from a scanner, a USB stick or the keyboard. No Node imports: the
 * renderer imports this file too. Format of the code: docs/protocols/provisioning.md.
 */
import { z } from 'zod';

export const setupIdentitySchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    deviceId: z.string().trim().min(1).max(64),
    deviceSecret: z.string().trim().min(1).max(128),
    signature: z.enum(['hmac-sha256', 'hmac-sm3']).default('hmac-sha256'),
  })
  .strict();

export const setupSaveSchema = setupIdentitySchema
  .extend({
    windowNo: z.string().trim().min(1).max(8),
    technicianCode: z.string().regex(/^\d{6,12}$/, '维护口令为 6–12 位数字 / 6–12 digits'),
  })
  .strict();

export type SetupIdentity = z.input<typeof setupIdentitySchema>;
export type SetupSave = z.input<typeof setupSaveSchema>;

/** The platform's answer to the signed test call, shown to the technician as it came. */
export interface SetupProbeAnswer {
  ok: boolean;
  status: number | null;
  answer: string;
  clockOffsetMs: number | null;
}

export interface SetupSaved {
  ok: true;
  /** the pad's screen, started with the new configuration */
  next: string;
  changed: string[];
}

const PREFIX = 'HCP1:';
const codeBodySchema = z
  .object({
    u: z.string(),
    d: z.string(),
    s: z.string(),
    w: z.string().optional(),
    a: z.enum(['hmac-sha256', 'hmac-sm3']).optional(),
  })
  .strict();

export interface ProvisioningCode {
  baseUrl: string;
  deviceId: string;
  deviceSecret: string;
  windowNo?: string;
  signature: 'hmac-sha256' | 'hmac-sm3';
}

function b64urlToText(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function textToB64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `HCP1:` + base64url(JSON {u, d, s, w?, a?}); whitespace a scanner or a file adds is ignored. */
export function parseProvisioningCode(text: string): ProvisioningCode {
  const t = text.trim();
  if (!t.startsWith(PREFIX)) throw new Error('不是评价器开通码 / not a provisioning code (HCP1:…)');
  let body: z.infer<typeof codeBodySchema>;
  try {
    body = codeBodySchema.parse(JSON.parse(b64urlToText(t.slice(PREFIX.length).replace(/\s+/g, ''))));
  } catch {
    throw new Error('开通码已损坏 / the provisioning code is damaged');
  }
  return {
    baseUrl: body.u,
    deviceId: body.d,
    deviceSecret: body.s,
    ...(body.w !== undefined ? { windowNo: body.w } : {}),
    signature: body.a ?? 'hmac-sha256',
  };
}

export function makeProvisioningCode(c: ProvisioningCode): string {
  const body: z.infer<typeof codeBodySchema> = { u: c.baseUrl, d: c.deviceId, s: c.deviceSecret };
  if (c.windowNo !== undefined) body.w = c.windowNo;
  if (c.signature !== 'hmac-sha256') body.a = c.signature;
  return PREFIX + textToB64url(JSON.stringify(body));
}
