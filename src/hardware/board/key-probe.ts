/**
 * Which of several serial ports holds this pad's board (the setup screen, decision 163): every
 * candidate is opened with the real driver (HELLO/INFO, pings, the key sequencer) at once, the
 * technician presses any key, and the port whose KEY arrives is the board. A port that cannot be
 * opened or does not answer INFO is shown with the reason; nothing waits longer than the timeout.
 */
import { BoardDriver, type BoardTimings, type Log } from './driver.js';
import { T } from './messages.js';
import type { ByteTransport } from './transport.js';

export type ProbePortState =
  /** being opened, or the driver is still waiting for INFO */
  | 'opening'
  /** the device cannot be opened (missing, busy, no permission): `detail` says why */
  | 'unavailable'
  /** opened, but no EVB/1 INFO: a scanner, a modem, nothing at all */
  | 'not_board'
  /** a board answered INFO: waiting for its key */
  | 'board';

export interface ProbePort {
  path: string;
  state: ProbePortState;
  serial: string | null;
  firmware: string | null;
  detail: string | null;
}

export interface ProbeFound {
  path: string;
  serial: string;
  firmware: string | null;
  key: number;
}

export type ProbeOutcome =
  | { kind: 'found'; found: ProbeFound; ports: ProbePort[] }
  | { kind: 'timeout'; ports: ProbePort[] }
  | { kind: 'cancelled'; ports: ProbePort[] };

export interface KeyProbeOptions {
  candidates: readonly string[];
  openTransport: (path: string) => ByteTransport;
  pathExists: (path: string) => boolean;
  log: Log;
  timeoutMs: number;
  /**
   * A press arriving this soon after its board answered INFO was buffered on the board before
   * (the board resends unacknowledged events every 250 ms): acknowledged, but not the answer.
   */
  settleMs?: number;
  timings?: Partial<BoardTimings>;
  now?: () => number;
}

export interface KeyProbe {
  /** The ports as they stand now, in candidate order. */
  ports(): ProbePort[];
  /** Settles once: a key, the timeout, or cancel(). Every port is closed before it settles. */
  readonly outcome: Promise<ProbeOutcome>;
  cancel(): Promise<ProbeOutcome>;
}

const ACK_GRACE_MS = 500;

export function startKeyProbe(o: KeyProbeOptions): KeyProbe {
  const now = o.now ?? (() => performance.now());
  const settleMs = o.settleMs ?? 400;
  const ports = new Map<string, ProbePort>();
  const drivers = new Map<string, BoardDriver>();
  const boardSince = new Map<string, number>();
  let settled = false;
  let resolveOutcome!: (r: ProbeOutcome) => void;
  const outcome = new Promise<ProbeOutcome>((r) => (resolveOutcome = r));
  const snapshot = () => [...ports.values()].map((p) => ({ ...p }));

  const finish = async (
    make: (ports: ProbePort[]) => ProbeOutcome,
    keep?: { path: string; acked: Promise<void> },
  ): Promise<void> => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    // The ports as the technician saw them, not as closing them leaves them.
    const seen = snapshot();
    // The winning board first gets its EVENTS_ACK out, so it does not resend the setup press to
    // the pad that starts next as if it were a citizen's.
    // (the frame is written when the driver reports it; a moment more lets the bytes leave)
    if (keep) {
      await Promise.race([keep.acked, new Promise((r) => setTimeout(r, ACK_GRACE_MS))]);
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all([...drivers.values()].map((d) => d.stop().catch(() => undefined)));
    resolveOutcome(make(seen));
  };

  for (const path of new Set(o.candidates)) {
    const port: ProbePort = { path, state: 'opening', serial: null, firmware: null, detail: null };
    ports.set(path, port);
    let ackSeen: () => void = () => undefined;
    const acked = new Promise<void>((r) => (ackSeen = r));
    const driver = new BoardDriver({
      log: o.log,
      path,
      // Open failures are the technician's answer ("permission denied": the dialout group).
      openTransport: (p) => {
        const t = o.openTransport(p);
        const open = t.open.bind(t);
        return Object.assign(t, {
          open: () =>
            open().catch((err: unknown) => {
              if (port.state !== 'board') {
                port.state = 'unavailable';
                port.detail = (err as Error).message;
              }
              throw err;
            }),
        });
      },
      listCandidates: () => Promise.resolve([path]),
      pathExists: (p) => {
        const there = o.pathExists(p);
        if (!there) {
          port.state = 'unavailable';
          port.detail = 'device not present';
        }
        return there;
      },
      ...(o.timings ? { timings: o.timings } : {}),
      now,
      onTraffic: (dir, f) => {
        if (dir === 'out' && f.type === T.EVENTS_ACK) ackSeen();
      },
    });
    driver.onStatus((s) => {
      if (settled) return;
      if (s.state === 'ok' && s.serial) {
        if (port.state !== 'board') boardSince.set(path, now());
        port.state = 'board';
        port.serial = s.serial;
        port.firmware = s.firmware;
        port.detail = null;
      } else if (s.refusal) {
        port.state = 'not_board';
        port.detail = s.refusal;
      } else if (s.state !== 'ok' && port.state === 'board') {
        port.state = 'unavailable';
        port.detail = 'disconnected';
      }
    });
    // Resolving acknowledges the press on the board, whether or not it is the answer.
    driver.onPress((press) => {
      const since = boardSince.get(path) ?? now();
      if (!settled && press.receivedAtMs - since >= settleMs) {
        const found = { path, serial: press.serial, firmware: port.firmware, key: press.key };
        void finish((p) => ({ kind: 'found', found, ports: p }), { path, acked });
      }
      return Promise.resolve();
    });
    drivers.set(path, driver);
  }
  const timer = setTimeout(() => void finish((p) => ({ kind: 'timeout', ports: p })), o.timeoutMs);
  for (const d of drivers.values()) void d.start();
  if (drivers.size === 0) void finish((p) => ({ kind: 'timeout', ports: p }));

  return {
    ports: snapshot,
    outcome,
    async cancel() {
      await finish((p) => ({ kind: 'cancelled', ports: p }));
      return outcome;
    },
  };
}
