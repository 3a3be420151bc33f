import { z } from 'zod';

/** One evaluation record as platform-api.md §2 defines it (the upload and hash-chain unit). */
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
    status: z.enum(['rated', 'unrated']),
    satisfaction: z.number().int().min(1).max(5).optional(),
    evalDetail: z.string().optional(),
    normVersion: z.string().optional(),
    writingEvaluation: z.string().max(500).optional(),
    inputSource: z.enum(['key', 'touch']).optional(),
    groupId: z.string().optional(),
    groupType: z.enum(['batch', 'chain']).optional(),
    startedTime: z.string(),
    assessTime: z.string().optional(),
    deviceSeq: z.number().int().min(1),
    deviceTimeMs: z.number().int(),
    clockOffsetMs: z.number().int(),
    riskFlags: z.array(z.string()).optional(),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export type PlatformRecord = z.infer<typeof platformRecordSchema>;
export type UnsealedRecord = Omit<PlatformRecord, 'hash' | 'prevHash' | 'deviceSeq'>;

export type RiskFlag = 'fast_rating' | 'key_and_touch' | 'burst' | 'stray_presses';
