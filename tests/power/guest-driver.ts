/**
 * Runs inside the power-cut guest (see tests/power/README.md). One boot of the pad:
 *
 * 1. CHECK what the last power cut left: `PRAGMA integrity_check`, the hash-chain verify, and every
 *    rated record id, sent to the host over the virtio serial port.
 * 2. RUN the pad: the real core (the same composition the pad starts, with the simulated star-key
 *    board), evaluations started through the window API on loopback, a star key pressed on the
 *    board for each; when the board receives EVENTS_ACK for the press (the pad's acknowledgement:
 *    the board forgets the event, the screen says thank you) it writes `ACK <id> <stars>` to the
 *    host. Until the host pulls the plug.
 *
 * HCP_POWER_MODE=sync-off is the deliberately broken build: after the core opened its database
 * the driver turns `synchronous` OFF on the core's own connection, so a commit returns before
 * the WAL reaches the disk. Production code has no such switch.
 */
import Database from 'better-sqlite3';
import { existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { KioskCore } from '../../src/host/core.js';
import { GENESIS_HASH } from '../../src/domain/canonical.js';
import { continueFromPlatform } from '../../src/store/continuation.js';
import { openCheckedDatabase } from '../../src/store/recovery.js';
import { verifyChain } from '../../src/store/verify.js';

const portPath = process.env.HCP_POWER_PORT ?? '/dev/vport0p1';
const dataDir = process.env.HCP_POWER_DATA ?? '/data/pad';
const mode = process.env.HCP_POWER_MODE === 'sync-off' ? 'sync-off' : 'sound';
const phase = process.env.HCP_POWER_PHASE === 'check' ? 'check' : 'run';
const dbPath = join(dataDir, 'kiosk.db');
const TOKEN = 'power-cut-window-token-0123456789';

const port = openSync(portPath, 'w');
/**
 * One line to the host; synchronous, so it has left the guest's process when this returns. The
 * host reads line by line, so a message with line breaks in it (SQLite's integrity_check lists one
 * damaged page per line) is folded onto one line, or its second line would be read as the next
 * message.
 */
function say(line: string): void {
  writeSync(port, `${line.replace(/\s*[\r\n]+\s*/g, ' | ')}\n`);
}

/** Seconds since the guest's kernel started: where a boot's time goes, for the figures. */
function uptime(): string {
  return readFileSync('/proc/uptime', 'utf8').split(' ')[0] ?? '?';
}

function checkLeftovers(): void {
  if (!existsSync(dbPath)) {
    say('CHECK none');
    return;
  }
  // Plain better-sqlite3, not openDatabase: the check must see the file as the cut left it,
  // before any migration or start-up work of the pad touches it.
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath);
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const chain = verifyChain(db);
    const rows = db
      .prepare(`SELECT record_id AS id, satisfaction AS s FROM records WHERE status = 'rated'`)
      .all() as Array<{ id: string; s: number }>;
    say(
      `CHECK integrity=${integrity.replace(/\s+/g, '_')} chain=${chain.ok ? 'ok' : 'broken'} rated=${rows.length}`,
    );
    for (let i = 0; i < rows.length; i += 50)
      say(
        `R ${rows
          .slice(i, i + 50)
          .map((r) => `${r.id}:${r.s}`)
          .join(' ')}`,
      );
  } catch (err) {
    // A file the cut left unreadable ("database disk image is malformed") is a finding, not a
    // harness failure: the host counts every acknowledged rating as lost and the integrity as
    // failed. Only the broken build should ever get here.
    const why = String(err instanceof Error ? err.message : err).replace(/\s+/g, '_');
    say(`CHECK integrity=unreadable:${why} chain=broken rated=0`);
  } finally {
    try {
      db?.close();
    } catch {
      /* a damaged file may refuse even to close; the pad's own start repairs it next */
    }
  }
}

/** The business system's call: POST /v1/evaluations on the pad's window API. */
async function startEvaluation(
  url: string,
  seq: number,
): Promise<{ ok: true; evaluationId: string } | { ok: false; why: string }> {
  try {
    const res = await fetch(`${url}/v1/evaluations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        cases: [
          {
            projectNo: `PWR-${Date.now().toString(36)}-${seq}`,
            taskCode: '370900-XK-0001',
            taskName: '个体工商户设立登记',
            promiseType: 1,
          },
        ],
      }),
    });
    const body = (await res.json()) as { evaluationId?: string };
    if (res.status === 201 && body.evaluationId) return { ok: true, evaluationId: body.evaluationId };
    return { ok: false, why: `${res.status} ${JSON.stringify(body)}` };
  } catch (err) {
    // Under TCG a keep-alive connection can close as the next request goes out ("other side closed").
    const cause = err instanceof Error && err.cause ? ` (${String(err.cause)})` : '';
    return { ok: false, why: `${String(err)}${cause}` };
  }
}

async function run(): Promise<void> {
  // The window must be staffed; sign-in has its own tests, so set the state as the kill harness does.
  // Opened the way the pad opens it: a file the last cut damaged is set aside and salvaged first.
  const { db: prep, damage } = openCheckedDatabase(dbPath, Date.now());
  if (damage) {
    // A repaired pad refuses new evaluations until the platform tells it where its sequence
    // continues (docs/protocols/platform-api.md §3). The guest has no network; its platform
    // never received anything, so the answer is "nothing yet". Only the broken build gets here.
    continueFromPlatform(prep, { lastDeviceSeq: 0, lastHash: GENESIS_HASH });
    say(
      `NOTE database repaired after the cut (${damage.reason.slice(0, 120)}); ${damage.recoveredRecords} records salvaged`,
    );
  }
  prep
    .prepare(
      `INSERT OR REPLACE INTO window_state (id, state, staff_id, changed_ms) VALUES (1, 'on_duty', 'T0107', 0)`,
    )
    .run();
  prep.close();

  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      'windowApi.port': 0,
      'windowApi.token': TOKEN,
      'windowApi.rateLimitPerS': 1000,
      board: { kind: 'simulated' },
      'printer.kind': 'none',
      'platform.baseUrl': 'http://127.0.0.1:9',
      'platform.deviceSecret': Buffer.alloc(32, 7).toString('base64'),
      'platform.deviceId': 'PAD-POWERCUT-12',
      'technician.code': '482913',
      'platform.refdataRefreshMin': 1440,
    },
  });
  const core = await KioskCore.start(config);
  if (mode === 'sync-off') core.db.pragma('synchronous = OFF');
  const board = core.hardware.simulator;
  if (!board) throw new Error('the simulated board did not start');

  // An evaluation the cut left open: its citizen has gone (as in the kill harness).
  const left = core.evaluations.openEvaluation();
  if (left?.evaluation.state === 'waiting')
    core.evaluations.cancel(left.evaluation.id, {
      reason: 'citizen_left',
      staffId: left.evaluation.staff_id,
      channel: 'power-cut-harness',
    });
  else if (left?.evaluation.state === 'reasons')
    core.evaluations.submitReasons(left.evaluation.id, [], undefined);

  let acked = 0;
  const waiters = new Map<number, () => void>();
  board.onEventsAck(({ counter }) => {
    acked = Math.max(acked, counter);
    for (const [c, resolve] of waiters)
      if (c <= acked) {
        waiters.delete(c);
        resolve();
      }
  });
  say(`READY mode=${mode} uptime=${uptime()}`);
  for (let seq = 1; ; seq++) {
    const started = await startEvaluation(core.windowApiUrl, seq);
    if (!started.ok) {
      // As the business system would: say why, let the pad settle, try again. An evaluation the
      // failed request did open is cancelled first, or the next start would be refused.
      say(`NOTE start ${started.why.slice(0, 300)}`);
      const open = core.evaluations.openEvaluation();
      if (open?.evaluation.state === 'waiting')
        core.evaluations.cancel(open.evaluation.id, {
          reason: 'other',
          staffId: open.evaluation.staff_id,
          channel: 'power-cut-harness',
        });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const stars = 3 + (seq % 3);
    const counter = board.press(stars);
    await new Promise<void>((resolve) => {
      if (counter <= acked) resolve();
      else waiters.set(counter, resolve);
    });
    // The board's event is acknowledged once its press is handled, whatever it did; only a press
    // that rated this evaluation is a rating the pad promised to keep.
    const rated = core.db
      .prepare(`SELECT satisfaction AS s FROM records WHERE record_id = ? AND status = 'rated'`)
      .get(started.evaluationId) as { s: number } | undefined;
    if (rated?.s === stars) say(`ACK ${started.evaluationId} ${stars}`);
    else say(`NOTE press on ${started.evaluationId} did not rate it`);
  }
}

async function main(): Promise<void> {
  try {
    say(`BOOT uptime=${uptime()}`);
    checkLeftovers();
    if (phase === 'run') await run();
    else say('DONE');
  } catch (err) {
    say(`FAIL ${String(err instanceof Error ? (err.stack ?? err.message) : err).replace(/\n/g, ' | ')}`);
    process.exitCode = 1;
  }
}

// No top-level await: the guest loads this as CommonJS, which V8 compiles lazily (measured: an ES
// module bundle costs several seconds more to start under TCG).
void main();
