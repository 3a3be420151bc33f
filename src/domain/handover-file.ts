import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, recordHash } from './canonical.js';
import { platformRecordSchema, type PlatformRecord } from './record.js';

/**
 * The handover file a decommissioned pad leaves for the pad that replaces it
 * (docs/protocols/handover.md): the records it had not yet delivered, exactly as sealed, and its
 * chain position. Signed with the device secret both pads share (they carry the same device id),
 * so a file edited on the USB stick, or one from another device, is refused whole.
 */
export const HANDOVER_FORMAT = 'hcp-handover/1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const handoverFileSchema = z
  .object({
    format: z.literal(HANDOVER_FORMAT),
    deviceId: z.string().min(1).max(64),
    windowNo: z.string().max(16),
    exportedAt: z.iso.datetime(),
    /** the old pad's last sealed deviceSeq and that record's hash: the new pad continues above */
    lastDeviceSeq: z.number().int().min(0),
    lastHash: hex64,
    records: z
      .array(z.object({ createdMs: z.number().int().min(0), record: platformRecordSchema }).strict())
      .max(1_000_000),
    signature: z.string().regex(/^hmac-sha256:[0-9a-f]{64}$/),
  })
  .strict();

export type HandoverFile = z.infer<typeof handoverFileSchema>;
export type UnsignedHandover = Omit<HandoverFile, 'signature'>;

function mac(secretBase64: string, body: UnsignedHandover): Buffer {
  return createHmac('sha256', Buffer.from(secretBase64, 'base64'))
    .update(canonicalJson(body), 'utf8')
    .digest();
}

export function signHandover(body: UnsignedHandover, secretBase64: string): HandoverFile {
  return { ...body, signature: `hmac-sha256:${mac(secretBase64, body).toString('hex')}` };
}

export class HandoverRefused extends Error {}

/**
 * Parses and checks a handover file for this device: schema, device id, signature, and every
 * record's own hash and device id. Throws HandoverRefused with one sentence naming what is wrong.
 */
export function readHandover(text: string, expect: { deviceId: string; secretBase64: string }): HandoverFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HandoverRefused('交接文件不是 JSON / the handover file is not JSON');
  }
  const parsed = handoverFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new HandoverRefused(
      `交接文件格式不对 / not a handover file (${HANDOVER_FORMAT}): ${i ? `${i.path.join('.')}: ${i.message}` : ''}`,
    );
  }
  const file = parsed.data;
  if (file.deviceId !== expect.deviceId)
    throw new HandoverRefused(
      `交接文件属于设备 ${file.deviceId}，本机是 ${expect.deviceId} / the file is for device ${file.deviceId}, this pad is ${expect.deviceId}`,
    );
  const { signature, ...body } = file;
  const given = Buffer.from(signature.slice('hmac-sha256:'.length), 'hex');
  const wanted = mac(expect.secretBase64, body);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw new HandoverRefused(
      '交接文件签名不符（被改动过，或设备密钥不同）/ the handover file signature does not match (edited, or another device secret)',
    );
  for (const { record } of file.records) {
    if (recordHash(record) !== record.hash)
      throw new HandoverRefused(
        `记录 ${record.evaluationId} 的哈希不符 / record ${record.evaluationId} does not hash to its hash`,
      );
    if (record.deviceSeq > file.lastDeviceSeq)
      throw new HandoverRefused(
        `记录 ${record.evaluationId} 的序号超出交接位置 / record ${record.evaluationId} lies above the file's lastDeviceSeq`,
      );
  }
  return file;
}

export type { PlatformRecord };
