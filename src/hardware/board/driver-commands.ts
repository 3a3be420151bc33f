import type { Frame } from './frame.js';
import * as M from './messages.js';
import { CommandError, type BoardTimings, type Pending, type Session } from './driver-types.js';

/** What sending one command needs of the driver. */
export interface CommandLink {
  session(): Session | null;
  connected(): boolean;
  nextSeq(): number;
  send(f: Frame, s: Session): void;
  /** commands waiting for their answer, by seq */
  pending: Map<number, Pending>;
  /** the newest LEDS / CONFIG seq per type: an older state is not resent after a newer one */
  newestStateSeq: Map<number, number>;
  timings: Pick<BoardTimings, 'commandTries' | 'commandTimeoutMs'>;
  countResend(): void;
}

/** LEDS/BEEP/CONFIG: resent after 200 ms without ACK, at most `commandTries` sends in all (EVB/1 §4). */
export async function sendCommand(link: CommandLink, build: () => Frame): Promise<void> {
  const s = link.session();
  if (!s || !link.connected()) throw new CommandError('board not connected', null);
  const seq = link.nextSeq();
  const f = { ...build(), seq };
  // LEDS and CONFIG each set a whole state; BEEP is an action and always keeps its resends.
  const setsState = f.type === M.T.LEDS || f.type === M.T.CONFIG;
  if (setsState) link.newestStateSeq.set(f.type, seq);
  for (let i = 0; i < link.timings.commandTries; i++) {
    if (s.ended) throw new CommandError('board disconnected', null);
    // Resending an older state after a newer one went out would put the board back into the
    // old state (a late "chosen star" LEDS landing after the next evaluation's "blink all").
    // The newer command carries what the caller wants now, so the older one stops here.
    if (i > 0 && setsState && link.newestStateSeq.get(f.type) !== seq) return;
    if (i > 0) link.countResend();
    const answer = new Promise<Frame | null>((resolve) => {
      const timer = setTimeout(() => {
        link.pending.delete(seq);
        resolve(null);
      }, link.timings.commandTimeoutMs);
      link.pending.set(seq, {
        types: [M.T.ACK, M.T.NAK],
        resolve: (fr) => {
          clearTimeout(timer);
          link.pending.delete(seq);
          resolve(fr);
        },
      });
    });
    link.send(f, s);
    const r = await answer;
    if (!r) continue;
    if (r.type === M.T.ACK) return;
    if (r.type === M.T.NAK) {
      const reason = r.payload[0] ?? 0;
      throw new CommandError(
        `board refused command 0x${f.type.toString(16)}: NAK ${reason} (${M.NAK_TEXT[reason] ?? 'unknown'})`,
        reason,
      );
    }
    throw new CommandError('board disconnected', null);
  }
  throw new CommandError(
    `no ACK for command 0x${f.type.toString(16)} after ${link.timings.commandTries} tries`,
    null,
  );
}
