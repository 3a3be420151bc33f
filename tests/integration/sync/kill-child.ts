/**
 * The pad's uploader in its own process, for the kill tests. Env:
 *   HCP_SIM_URL, HCP_PAD_DIR — where to send, whose database;
 *   HCP_PAUSE_AT=before_send|after_response|settled_part, HCP_PAUSE_NTH=n — at the n-th time that point is
 *   reached, print `PAUSED <point> <batchId>` and freeze (synchronously) until the parent SIGKILLs.
 * Without HCP_PAUSE_AT it uploads everything and prints `DONE <pending>`.
 * HCP_BROKEN_MARK_BEFORE_SEND=1 makes it a deliberately broken pad (marks batches delivered
 * before sending) so the test can show the harness catches that.
 */
import { writeSync } from 'node:fs';
import { markDelivered } from '../../../src/store/outbox.js';
import { createSync } from '../../../src/sync/index.js';
import { DEMO_DEVICE_ID, DEMO_DEVICE_SECRET } from '../../../platform-sim/index.js';
import { HEARTBEAT, openPadDb } from '../../unit/sync/fixtures.js';

const url = process.env.HCP_SIM_URL as string;
const dir = process.env.HCP_PAD_DIR as string;
const pauseAt = process.env.HCP_PAUSE_AT;
const nth = Number(process.env.HCP_PAUSE_NTH ?? '1');
const broken = process.env.HCP_BROKEN_MARK_BEFORE_SEND === '1';
let seen = 0;

const db = openPadDb(dir);
const sync = createSync({
  db,
  config: {
    baseUrl: url,
    deviceId: DEMO_DEVICE_ID,
    deviceSecret: DEMO_DEVICE_SECRET,
    signature: 'hmac-sm3',
    requestTimeoutMs: 5000,
    batchIntervalMs: 60_000,
    refdataRefreshMin: 600,
    heartbeatIntervalS: 600,
  },
  clock: { now: () => Date.now() },
  dataDir: dir,
  appVersion: 'kill-test',
  heartbeat: () => HEARTBEAT,
  log: () => undefined,
  tuning: { backoff: { baseMs: 10, capMs: 100 }, maxBatchRecords: 200 },
  hooks: {
    point(name, batch) {
      if (broken && name === 'before_send') {
        // The deliberately broken pad: "delivered" before the platform has confirmed anything.
        const refs = db
          .prepare(`SELECT ref FROM outbox WHERE kind = 'record' AND device_seq BETWEEN ? AND ?`)
          .all(batch.firstSeq, batch.lastSeq) as Array<{ ref: string }>;
        markDelivered(
          db,
          refs.map((r) => r.ref),
          Date.now(),
        );
      }
      if (name !== pauseAt) return;
      seen += 1;
      if (seen !== nth) return;
      writeSync(1, `PAUSED ${name} ${batch.batchId} ${batch.firstSeq} ${batch.lastSeq}\n`);
      // Freeze right here: nothing after this point may run before the kill.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    },
  },
});
const st = await sync.syncNow();
writeSync(1, `DONE ${st.pending}\n`);
await sync.stop();
db.close();
