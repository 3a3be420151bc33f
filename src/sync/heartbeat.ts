import { z } from 'zod';

/** The heartbeat body of docs/protocols/platform-api.md §4; the core fills it, the sync service sends it. */
export const heartbeatBodySchema = z.object({
  appVersion: z.string(),
  uptimeS: z.number().int().min(0),
  screen: z.string(),
  staffId: z.string().nullable(),
  outbox: z.object({
    pending: z.number().int().min(0),
    oldestPendingTime: z.string().nullable(),
    rejected: z.number().int().min(0),
    lastAckTime: z.string().nullable(),
  }),
  board: z.object({
    state: z.string(),
    serial: z.string().nullable(),
    firmware: z.string().nullable(),
    lineErrors: z.number().int().min(0),
  }),
  printer: z.object({
    state: z.string(),
    paperLow: z.boolean(),
    paperOut: z.boolean(),
    coverOpen: z.boolean(),
  }),
  db: z.object({
    sizeBytes: z.number().int().min(0),
    integrity: z.enum(['ok', 'error']),
    checkedTime: z.string().nullable(),
    /** the pad's storage state (decisions 192) */
    storage: z.string().optional(),
    /** the last rebuild of a damaged database (decisions 190) */
    rebuilt: z
      .object({
        detectedTime: z.string(),
        reason: z.string(),
        recoveredRecords: z.number().int().min(0),
        recoveredPending: z.number().int().min(0),
      })
      .optional(),
  }),
  clockOffsetMs: z.number().int(),
  /**
   * Extension (the pad's `doctor` facts for a city's fleet view; a 1.1 platform ignores unknown
   * fields): free disk, calendar years known, and the findings with the verdict.
   */
  health: z
    .object({
      needsVisit: z.boolean(),
      findings: z.array(
        z.object({ key: z.string(), level: z.enum(['ok', 'warn', 'visit']), text: z.string() }),
      ),
      diskFreeBytes: z.number().int().min(0).nullable(),
      calendarYears: z.array(z.number().int()),
    })
    .optional(),
});

export type HeartbeatBody = z.infer<typeof heartbeatBodySchema>;
