import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARD_PATTERN_ROWS, boardPattern, PRESS_BEEP } from '../../../src/host/board-patterns.js';
import type { BoardSimulator } from '../../../src/hardware/board/index.js';
import { until } from '../board/harness.js';
import { putOnDuty, startTestCore } from '../../helpers/core.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const CASE = { projectNo: 'LED-1', taskCode: 'T', taskName: '事项', promiseType: 1 as const };

async function padWithSimulatedBoard(
  voice: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  const pad = await startTestCore({
    board: { kind: 'simulated' },
    citizen: { voice: { enabled: true, ...voice } },
    ...extra,
  });
  cleanup.push(() => pad.stop());
  const sim = pad.core.hardware.simulator as BoardSimulator;
  const beeps: Array<{ freqHz: number; durationMs: number }> = [];
  sim.onBeep((b) => beeps.push(b));
  await until(() => pad.core.hardware.boardState() === 'ok', 10_000, 'board ok');
  const ledsAre = (want: readonly number[], what: string) =>
    until(
      () => sim.leds().join() === want.join(),
      4000,
      `${what}: want ${want.join()} got ${sim.leds().join()}`,
    );
  return { pad, sim, beeps, ledsAre };
}

/** The board's pattern per step (board-patterns.ts), checked over the board simulator. */
describe('board LED and beep patterns per step', () => {
  it('prompt blinks all, a 差评 keeps its star lit with the others dark, thanks confirms, idle shows status', async () => {
    const { pad, sim, beeps, ledsAre } = await padWithSimulatedBoard();
    putOnDuty(pad.core);
    pad.core.hardware.applyIdleLeds();
    await ledsAre(boardPattern('idle_on_duty').leds, 'idle on duty');

    const { evaluationId } = await pad.core.startEvaluation({ cases: [CASE] }, 'window_api');
    await ledsAre([2, 2, 2, 2, 2, 1], 'prompt');
    await until(() => beeps.some((b) => b.freqHz === 2000), 2000, 'prompt beep');

    sim.press(2);
    await until(
      () => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'reasons',
      5000,
      'reasons',
    );
    await ledsAre([0, 1, 0, 0, 0, 1], '差评 chosen: star 2 solid, others dark');
    // The voice is on: the press is spoken, the buzzer stays quiet.
    expect(beeps.filter((b) => b.freqHz === PRESS_BEEP.freqHz)).toEqual([]);

    pad.core.evaluations.submitReasons(evaluationId, [], '等候时间太长');
    await ledsAre([0, 1, 0, 0, 0, 1], 'thanks: the chosen star');
    await until(() => beeps.some((b) => b.freqHz === 2400), 2000, 'thanks confirmation beep');
    await ledsAre([0, 0, 0, 0, 0, 1], 'back to idle after the thanks');
  });

  it('the rating time running out darkens the stars; paused is all off', async () => {
    const { pad, sim, ledsAre } = await padWithSimulatedBoard({}, { 'timing.rateTimeoutS': 5 });
    putOnDuty(pad.core);
    const seen: string[] = [];
    sim.onLeds((m) => seen.push(m.join()));
    const { evaluationId } = await pad.core.startEvaluation({ cases: [CASE] }, 'window_api');
    await ledsAre([2, 2, 2, 2, 2, 1], 'prompt');
    await until(
      () => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'unrated',
      9000,
      'unrated',
    );
    await ledsAre(boardPattern('unrated').leds, 'time ran out: stars dark');
    expect(seen).toContain('2,2,2,2,2,1');
    pad.core.staff.setState('paused');
    await ledsAre([0, 0, 0, 0, 0, 0], 'paused: off');
  });

  it('with the voice off the buzzer marks the press', async () => {
    const { pad, sim, beeps, ledsAre } = await padWithSimulatedBoard({ enabled: false });
    putOnDuty(pad.core);
    const { evaluationId } = await pad.core.startEvaluation({ cases: [CASE] }, 'window_api');
    await ledsAre([2, 2, 2, 2, 2, 1], 'prompt');
    sim.press(1);
    await until(
      () => pad.core.evaluations.get(evaluationId)?.evaluation.state === 'reasons',
      5000,
      'reasons',
    );
    await ledsAre([1, 0, 0, 0, 0, 1], 'star 1 solid');
    await until(() => beeps.some((b) => b.freqHz === PRESS_BEEP.freqHz), 2000, 'press beep');
  });

  it('docs/ux.md shows the same table as the code', () => {
    // Table rows with their cells trimmed (the formatter pads the columns).
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/ux.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) =>
        l
          .split('|')
          .map((c) => c.trim())
          .join('|'),
      )
      .join('\n');
    for (const row of BOARD_PATTERN_ROWS) {
      const p = boardPattern(row.step, row.chosen);
      const beep = p.beep ? `${p.beep.freqHz} Hz ${p.beep.durationMs} ms` : '—';
      expect(doc).toContain(
        `|\`${row.step}\`|${row.when}|${p.leds.slice(0, 5).join(' ')}|${p.leds[5]}|${beep}|`,
      );
    }
  });
});
