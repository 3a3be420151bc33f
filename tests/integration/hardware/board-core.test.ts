import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { padWithBoardOnPty, PtyCable, starsBlinking, until, wait } from '../board/harness.js';
import { putOnDuty, startTestCore } from '../../helpers/core.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/**
 * The real core with its board on a socat pty and the simulated board on the other end: every
 * EVENTS_ACK the board receives must cover only presses whose effect is already in the database,
 * as a second connection to the file sees it at that moment.
 */
describe('board ↔ core over a pty', () => {
  it(
    'EVENTS_ACK never precedes the commit of its rating; LEDs follow the evaluation',
    { timeout: 120_000 },
    async () => {
      const { pad, sim } = await padWithBoardOnPty('PTYCORE1', cleanup);

      const reader = new Database(join(pad.dir, 'kiosk.db'), { readonly: true });
      cleanup.push(() => {
        reader.close();
      });
      const violations: string[] = [];
      let acks = 0;
      sim.onEventsAck(({ bootId, counter }) => {
        acks += 1;
        const stored = reader
          .prepare(
            'SELECT MAX(counter) AS c, COUNT(*) AS n FROM raw_inputs WHERE board_serial = ? AND boot_id = ? AND counter <= ?',
          )
          .get('PTYCORE1', bootId, counter) as { c: number | null; n: number };
        if (stored.n !== counter) violations.push(`ack ${counter} with only ${stored.n} presses stored`);
      });

      const rounds = 25;
      for (let i = 0; i < rounds; i++) {
        const { evaluationId } = await pad.core.startEvaluation(
          { cases: [{ projectNo: `KEY-${i}`, taskCode: 'T', taskName: '事项', promiseType: 1 }] },
          'window_api',
        );
        await until(() => starsBlinking(sim), 3000, `round ${i}: star LEDs blinking`);
        sim.press(3 + (i % 3));
        await until(
          () => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'rated',
          5000,
          'rated',
        );
        const chosen = 3 + (i % 3);
        await until(() => sim.leds()[chosen - 1] === 1, 3000, 'chosen LED on');
        // A stray press between evaluations is logged and acknowledged too. It must have been
        // handled before the next evaluation starts, or (on a loaded machine, or when its KEY
        // frame needs a resend) it would be the first press of that evaluation and rate it.
        if (i % 5 === 0) {
          sim.press(1);
          await until(() => sim.state().pending.length === 0, 5000, `round ${i}: stray press handled`);
        }
        await wait(20);
      }
      await until(() => sim.state().pending.length === 0, 5000, 'board buffer drained');
      const rated = reader.prepare(`SELECT COUNT(*) AS n FROM records WHERE status = 'rated'`).get() as {
        n: number;
      };
      const stray = reader
        .prepare(`SELECT COUNT(*) AS n FROM raw_inputs WHERE disposition = 'no_evaluation'`)
        .get() as { n: number };
      expect(rated.n).toBe(rounds);
      expect(stray.n).toBe(5);
      expect(acks).toBeGreaterThan(0);
      expect(violations).toEqual([]);
      // After the 2 s afterglow the LEDs go dark on an idle window.
      await until(
        () =>
          sim
            .leds()
            .slice(0, 5)
            .every((m) => m === 0),
        4000,
        'LEDs off when idle',
      );
    },
  );

  it(
    'with the board unplugged the touch screen still rates, and status says absent',
    { timeout: 60_000 },
    async () => {
      const cable = new PtyCable();
      const pad = await startTestCore({ board: { kind: 'serial', path: cable.host, baudRate: 115200 } });
      cleanup.push(() => pad.stop());
      cleanup.push(() => cable.dispose());
      putOnDuty(pad.core);
      expect(pad.core.hardware.boardState()).not.toBe('ok');
      const { evaluationId } = await pad.core.startEvaluation(
        { cases: [{ projectNo: 'TOUCH-1', taskCode: 'T', taskName: '事项', promiseType: 1 }] },
        'window_api',
      );
      pad.core.evaluations.press({ source: 'touch', key: 2, evaluationId });
      pad.core.evaluations.submitReasons(evaluationId, [], '态度不好');
      expect(pad.core.evaluations.get(evaluationId)?.evaluation.state).toBe('rated');
      expect((pad.core.windowStatus() as { board: string }).board).not.toBe('ok');
      // The citizen's snapshot carries no board alarm; only the staff/tech side does.
      expect(pad.core.snapshot().screen).toBe('thanks');
    },
  );
});
