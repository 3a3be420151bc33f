import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { KioskConfig } from '../config/config.js';
import { continueFromPlatform, markWaitingForPlatformSeq } from '../store/continuation.js';
import { getMeta } from '../store/db.js';
import { openCheckedDatabase } from '../store/recovery.js';
import { putRefdata } from '../store/refdata.js';
import { probePlatform } from '../sync/probe.js';

const positionSchema = z.object({
  lastDeviceSeq: z.number().int().min(0),
  lastHash: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * A pad just set up keeps the platform's profile at once (hall code, window). As it may be a
 * replacement taking over a device id the platform already holds records of, it also continues
 * above that device's sequence (profile `lastDeviceSeq`/`lastHash`, platform-api 1.1) before it
 * seals its first record, so no number is ever reused. If the platform cannot say now, the pad
 * seals nothing until its profile arrives (continuation.ts). A pad that already has records keeps
 * its own position.
 */
export async function adoptPlatformPosition(config: KioskConfig): Promise<string> {
  const { db } = openCheckedDatabase(join(resolve(config.dataDir), 'kiosk.db'), Date.now());
  try {
    if (Number(getMeta(db, 'last_device_seq') ?? '0') > 0) return 'this pad already has its own sequence';
    const p = config.platform;
    const r = await probePlatform({
      baseUrl: p.baseUrl,
      deviceId: p.deviceId,
      secret: p.deviceSecret,
      algorithm: p.signature,
      timeoutMs: 8000,
    });
    // The profile is kept as the sync would keep it: a record sealed before the sync's first
    // fetch carries the hall code and window the platform expects (else it is refused for good).
    if (r.status === 200) putRefdata(db, 'profile', r.body, null, Date.now());
    const position = r.status === 200 ? positionSchema.safeParse(r.body) : null;
    if (position?.success) {
      const c = continueFromPlatform(db, position.data);
      return c.moved
        ? `device ${p.deviceId} continues above the platform's deviceSeq ${c.to}`
        : `device ${p.deviceId} is new to the platform`;
    }
    if (r.status === 200) return 'the platform does not report a sequence position (platform-api 1.0)';
    markWaitingForPlatformSeq(db);
    return `the platform did not answer (${r.error ?? `HTTP ${r.status}`}): no record is sealed until its profile arrives`;
  } finally {
    db.close();
  }
}
