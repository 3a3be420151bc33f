import { z } from 'zod';
import { DAILY_HOURS_PATTERN } from '../api/citizen.js';

/**
 * The `updates` section: where the pad looks for new versions (a generic file server in the hall
 * or the city: `<url>/<channel>/latest-linux.yml` and the installers beside it) and when it may
 * install one (docs/technician.md, "Updates"; decision 202).
 */
export const updatesConfigSchema = z
  .object({
    /** base URL of the update server; null turns updates off */
    url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
      .default('stable'),
    checkEveryMin: z.number().int().min(5).max(1440).default(60),
    /** installs happen only inside these hours (China Standard Time): the hall is closed */
    installHours: z
      .string()
      .regex(DAILY_HOURS_PATTERN, 'expected "HH:MM-HH:MM" (China Standard Time), e.g. "20:00-07:00"')
      .default('20:00-07:00'),
    /** and only after this long without an evaluation or a receipt */
    idleMin: z.number().int().min(1).max(240).default(10),
    /** a technician's pin: only this version is taken (also a downgrade, to roll back by hand) */
    pinVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/)
      .nullable()
      .default(null),
  })
  .strict();

export type UpdatesConfig = z.infer<typeof updatesConfigSchema>;
