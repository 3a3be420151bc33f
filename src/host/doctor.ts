import { existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { KioskConfig } from '../config/config.js';
import { coveredYears } from '../domain/calendar.js';
import { openDatabase } from '../store/db.js';
import { outboxStats } from '../store/outbox.js';
import { handoverState } from '../store/handover.js';
import { probePlatform } from '../sync/probe.js';
import type { HealthFacts } from './health.js';
import { PRINTER_DEFAULTS } from '../hardware/printer/settings.js';

/**
 * `doctor`'s facts, gathered from outside the pad: the running pad's own view of its board and
 * printer when it answers on its window API, else the devices' presence; the platform by a signed
 * request; disk, database and outbox from the data folder (read-only, beside the running pad).
 */
export async function gatherHealthFacts(config: KioskConfig, nowMs = Date.now()): Promise<HealthFacts> {
  const dataDir = resolve(config.dataDir);
  const live = await runningPadStatus(config, dataDir);
  const board = live
    ? { kind: config.board.kind, state: live.board, detail: 'as the running pad sees it' }
    : boardPresence(config);
  const printer = live
    ? { kind: config.printer.kind, state: live.printer, detail: 'as the running pad sees it' }
    : await printerPresence(config);

  let platform: HealthFacts['platform'] = {
    baseUrl: config.platform.baseUrl,
    reachable: null,
    status: null,
    answer: null,
    clockOffsetMs: null,
  };
  if (config.platform.baseUrl !== 'embedded') {
    const r = await probePlatform({
      baseUrl: config.platform.baseUrl,
      deviceId: config.platform.deviceId,
      secret: config.platform.deviceSecret,
      algorithm: config.platform.signature,
      timeoutMs: 5000,
    });
    platform = {
      baseUrl: config.platform.baseUrl,
      reachable: r.reachable,
      status: r.status,
      answer: r.error ?? (r.status !== 200 ? JSON.stringify(r.body) : null),
      clockOffsetMs: r.clockOffsetMs,
    };
  }

  let disk: HealthFacts['disk'] = null;
  try {
    const s = statfsSync(existsSync(dataDir) ? dataDir : resolve(dataDir, '..'));
    disk = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    // unknown: reported as such
  }

  const dbFile = join(dataDir, 'kiosk.db');
  let db: HealthFacts['db'] = { exists: false, integrity: 'missing', schemaVersion: null };
  let outbox: HealthFacts['outbox'] = { pending: 0, rejected: 0, oldestPendingMs: null };
  if (existsSync(dbFile)) {
    try {
      const handle = openDatabase(dbFile, { readonly: true });
      try {
        db = {
          exists: true,
          integrity: String(handle.pragma('quick_check', { simple: true })),
          schemaVersion: handle.pragma('user_version', { simple: true }) as number,
          decommissionedMs: handoverState(handle).decommissionedMs,
        };
        const s = outboxStats(handle);
        outbox = { pending: s.pending, rejected: s.rejected, oldestPendingMs: s.oldestPendingMs };
      } finally {
        handle.close();
      }
    } catch (err) {
      db = { exists: true, integrity: `cannot be read: ${(err as Error).message}`, schemaVersion: null };
    }
  }
  return { nowMs, board, printer, platform, disk, db, outbox, calendarYears: coveredYears() };
}

/** The running pad's `/v1/status` (board and printer as it sees them), or null when it is not up. */
async function runningPadStatus(
  config: KioskConfig,
  dataDir: string,
): Promise<{ board: string; printer: string } | null> {
  const tokenFile = join(dataDir, 'window-api.token');
  const token =
    config.windowApi.token !== 'generate'
      ? config.windowApi.token
      : existsSync(tokenFile)
        ? readFileSync(tokenFile, 'utf8').trim()
        : null;
  if (!token || config.windowApi.port === 0) return null;
  const host = config.windowApi.host === '0.0.0.0' ? '127.0.0.1' : config.windowApi.host;
  try {
    const res = await fetch(`http://${host}:${config.windowApi.port}/v1/status`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { board?: unknown; printer?: unknown };
    return typeof body.board === 'string' && typeof body.printer === 'string'
      ? { board: body.board, printer: body.printer }
      : null;
  } catch {
    return null;
  }
}

function boardPresence(config: KioskConfig): HealthFacts['board'] {
  const b = config.board;
  if (b.kind === 'simulated') return { kind: 'simulated', state: 'simulated', detail: 'demo board' };
  if (b.kind === 'none') return { kind: 'none', state: 'none', detail: 'touch screen only' };
  if (b.path) {
    return existsSync(b.path)
      ? { kind: 'serial', state: 'present', detail: `${b.path} (pad not running: not opened)` }
      : {
          kind: 'serial',
          state: 'absent',
          detail: `${b.path} does not exist: unplugged, or the udev rule is missing`,
        };
  }
  const candidates = ['/dev/hcp-board', ...devices(/^tty(ACM|USB)\d+$/)];
  const found = candidates.filter((p) => existsSync(p));
  return found.length > 0
    ? { kind: 'serial', state: 'present', detail: `${found.join(', ')} (pad not running: not opened)` }
    : { kind: 'serial', state: 'absent', detail: 'no /dev/hcp-board, ttyACM* or ttyUSB*: unplugged?' };
}

function devices(re: RegExp): string[] {
  try {
    return readdirSync('/dev')
      .filter((n) => re.test(n))
      .map((n) => `/dev/${n}`);
  } catch {
    return [];
  }
}

async function printerPresence(config: KioskConfig): Promise<HealthFacts['printer']> {
  const p = config.printer;
  if (p.kind === 'virtual') return { kind: 'virtual', state: 'simulated', detail: 'receipts saved as PNG' };
  if (p.kind === 'none') return { kind: 'none', state: 'none', detail: '' };
  if (p.kind === 'tcp') {
    const host = p.host ?? '127.0.0.1';
    const port = p.port ?? PRINTER_DEFAULTS.tcpPort;
    const ok = await new Promise<boolean>((done) => {
      const s = connect({ host, port, timeout: 2000 }, () => {
        s.destroy();
        done(true);
      });
      s.on('error', () => done(false));
      s.on('timeout', () => {
        s.destroy();
        done(false);
      });
    });
    return ok
      ? { kind: 'tcp', state: 'present', detail: `${host}:${port} answers` }
      : { kind: 'tcp', state: 'absent', detail: `${host}:${port} does not answer` };
  }
  const path = p.path ?? (p.kind === 'usb' ? '/dev/usb/lp0' : '/dev/ttyS0');
  return existsSync(path)
    ? { kind: p.kind, state: 'present', detail: path }
    : { kind: p.kind, state: 'absent', detail: `${path} does not exist` };
}
