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

/** The board the technician found by pressing a key on it, or a touch-only pad. */
export const setupBoardSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('serial'),
      path: z.string().min(1).max(256),
      serialNumber: z.string().min(1).max(64),
    })
    .strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);

/** The printer a test page came out of (the printer settings' kinds), or none. */
export const setupPrinterSchema = z
  .object({
    kind: z.enum(['virtual', 'serial', 'usb', 'tcp', 'none']),
    path: z.string().min(1).max(256).optional(),
    host: z.string().trim().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    paperWidthMm: z.union([z.literal(58), z.literal(80)]),
    qr: z.enum(['native', 'raster']).default('native'),
  })
  .strict()
  .refine((p) => p.kind !== 'tcp' || p.host !== undefined, {
    message: '网络打印机需要地址 / a network printer needs its address',
    path: ['host'],
  })
  .refine((p) => (p.kind !== 'serial' && p.kind !== 'usb') || p.path !== undefined, {
    message: '需要打印机端口 / the printer needs its port',
    path: ['path'],
  });

export const setupSaveSchema = setupIdentitySchema
  .extend({
    windowNo: z.string().trim().min(1).max(8),
    technicianCode: z.string().regex(/^\d{6,12}$/, '维护口令为 6–12 位数字 / 6–12 digits'),
    board: setupBoardSchema,
    printer: setupPrinterSchema,
  })
  .strict();

export const setupBoardFindSchema = z
  /** unset: the pad's own (60 s; `HCP_SETUP_BOARD_TIMEOUT_S` in development and tests) */
  .object({ timeoutS: z.number().int().min(5).max(300).optional() })
  .strict();

export const setupPrintTestSchema = z
  .object({
    printer: setupPrinterSchema,
    deviceId: z.string().trim().min(1).max(64),
    windowNo: z.string().trim().min(1).max(8),
  })
  .strict();

export type SetupIdentity = z.input<typeof setupIdentitySchema>;
export type SetupSave = z.input<typeof setupSaveSchema>;
export type SetupBoard = z.infer<typeof setupBoardSchema>;
export type SetupPrinter = z.input<typeof setupPrinterSchema>;
export type SetupPrintTest = z.input<typeof setupPrintTestSchema>;

/** One candidate serial port while the pad waits for a key (see src/hardware/board/key-probe.ts). */
export interface SetupBoardPort {
  path: string;
  state: 'opening' | 'unavailable' | 'not_board' | 'board';
  serial: string | null;
  firmware: string | null;
  detail: string | null;
}

/** The board search as the setup screen polls it. */
export interface SetupBoardSearch {
  state: 'idle' | 'waiting' | 'found' | 'timeout' | 'cancelled';
  ports: SetupBoardPort[];
  found: { path: string; serial: string; firmware: string | null; key: number } | null;
  /** when the search gives up (ms since the epoch, the pad's clock), while waiting */
  endsAt: number | null;
  /** how long the search waits for a key */
  timeoutS: number;
}

/** A printer the setup screen offers; `tcp` is typed in by the technician. */
export interface SetupPrinterCandidate {
  kind: 'virtual' | 'serial' | 'usb';
  path?: string;
  label: string;
}

export interface SetupPrintResult {
  ok: boolean;
  /** the printer's state or the error, in words */
  detail: string;
  /** the virtual printer's page as a PNG data URL, to compare with the screen */
  preview: string | null;
}

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
