import type { FrameReader } from './frame.js';
import type { InfoMsg } from './messages.js';
import type { Log, Pending, Session } from './driver-types.js';
import type { ByteTransport } from './transport.js';

/**
 * Wraps an opened port as the driver's session: its bytes go to the frame reader, and its end
 * (closed, unplugged, or ended by the driver) answers every command still waiting with a
 * synthetic failure, so no caller waits for a board that is gone.
 */
export function openSession(
  t: ByteTransport,
  path: string,
  o: { reader: FrameReader; pending: Map<number, Pending>; log: Log; detach: (s: Session) => void },
): Session {
  o.reader.reset();
  const offs: Array<() => void> = [];
  const s: Session = {
    t,
    path,
    ended: false,
    missedPongs: 0,
    end: (why) => {
      if (s.ended) return;
      s.ended = true;
      offs.forEach((f) => f());
      o.detach(s);
      for (const [seq, p] of o.pending) {
        o.pending.delete(seq);
        p.resolve({ type: -1, seq, payload: new Uint8Array([0]) });
      }
      o.log('info', 'session ended', { path, why });
      s.onEnd?.();
    },
  };
  offs.push(t.onData((chunk) => o.reader.push(chunk)));
  offs.push(
    t.onClose((disconnected) => {
      o.log('warn', disconnected ? 'board disconnected' : 'port closed', { path });
      s.end(disconnected ? 'disconnected' : 'closed');
    }),
  );
  return s;
}

/**
 * A back-off wait the driver can cut short: while it runs, `wake.current` ends it. While backing
 * off from a missing device node, its return ends the wait at once.
 */
export function wakeableSleep(
  ms: number,
  watch: { path: string; exists: (path: string) => boolean; pollMs: number } | null,
  wake: { current: (() => void) | null },
): Promise<void> {
  return new Promise((resolve) => {
    let poll: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (wake.current === finish) wake.current = null;
      resolve();
    };
    const timer = setTimeout(finish, ms);
    if (watch) {
      const existed = watch.exists(watch.path);
      poll = setInterval(() => {
        if (!existed && watch.exists(watch.path)) finish();
      }, watch.pollMs);
    }
    wake.current = finish;
  });
}

/** The next INFO the board sends, or null after `timeoutMs` (the driver feeds `waiters`). */
export function nextInfo(waiters: Set<(i: InfoMsg) => void>, timeoutMs: number): Promise<InfoMsg | null> {
  return new Promise((resolve) => {
    const w = (info: InfoMsg) => {
      clearTimeout(timer);
      waiters.delete(w);
      resolve(info);
    };
    const timer = setTimeout(() => {
      waiters.delete(w);
      resolve(null);
    }, timeoutMs);
    waiters.add(w);
  });
}
