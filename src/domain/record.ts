import { z } from 'zod';
import { isBadReview } from './levels.js';

/** One evaluation record as docs/protocols/platform-api.md §2 defines it (the upload and hash-chain unit). */
export const platformRecordSchema = z
  .object({
    evaluationId: z.string().min(1).max(64),
    projectNo: z.string().min(1).max(50),
    serviceNumber: z.number().int().min(1),
    taskCode: z.string().min(1).max(50),
    taskName: z.string().min(1).max(200),
    promiseType: z.union([z.literal(1), z.literal(2)]),
    hallCode: z.string(),
    windowNo: z.string(),
    areaCode: z.string(),
    staffId: z.string(),
    staffName: z.string(),
    pf: z.literal('4'),
    status: z.enum(['rated', 'unrated', 'cancelled']),
    /** unrated only: the 差评 star the citizen chose before the reasons step ran out (1.1) */
    abandonedSatisfaction: z.union([z.literal(1), z.literal(2)]).optional(),
    cancelledTime: z.string().optional(),
    cancelledBy: z.string().optional(),
    cancelReason: z.enum(['wrong_case', 'citizen_left', 'other']).optional(),
    satisfaction: z.number().int().min(1).max(5).optional(),
    evalDetail: z.string().optional(),
    normVersion: z.string().optional(),
    writingEvaluation: z.string().max(500).optional(),
    inputSource: z.enum(['key', 'touch']).optional(),
    groupId: z.string().optional(),
    groupType: z.enum(['batch', 'chain']).optional(),
    groupMode: z.enum(['overall', 'each']).optional(),
    startedTime: z.string(),
    assessTime: z.string().optional(),
    deviceSeq: z.number().int().min(1),
    deviceTimeMs: z.number().int(),
    clockOffsetMs: z.number().int(),
    /** this project's extension: the pad's time was not confirmed when the record was made (decision 195) */
    clockUnsynced: z.literal(true).optional(),
    riskFlags: z.array(z.string()).optional(),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type PlatformRecord = z.infer<typeof platformRecordSchema>;
export type UnsealedRecord = Omit<PlatformRecord, 'hash' | 'prevHash' | 'deviceSeq'>;

export type RiskFlag =
  'fast_rating' | 'key_and_touch' | 'burst' | 'stray_presses' | 'frequent_cancel' | 'restart_after_bad';

export const CANCEL_REASONS = ['wrong_case', 'citizen_left', 'other'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/**
 * A 差评 lead: a rated 1–2 star, or an unrated record whose citizen chose a 差评 star and left
 * the reasons step. Both go out at once (差评即时响应) and both count as 差评 in the figures. The one
 * rule of "urgent": the outbox row's flag (store/records.ts) and the uploader's kick (host/core.ts)
 * both ask it.
 */
export function isBadLead(
  r: Pick<PlatformRecord, 'status' | 'satisfaction' | 'abandonedSatisfaction'>,
): boolean {
  return (
    (r.status === 'rated' && r.satisfaction !== undefined && isBadReview(r.satisfaction)) ||
    (r.status === 'unrated' && r.abandonedSatisfaction !== undefined)
  );
}
