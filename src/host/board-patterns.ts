import type { LedMode } from '../hardware/board/index.js';

/**
 * What the evaluator board shows and sounds at each step of an evaluation, so that a citizen who
 * looks at the keys rather than the screen is guided too. One table, read by HardwareBridge and
 * printed in docs/ux.md ("Board patterns"); tests/integration/hardware/board-patterns.test.ts
 * checks every row over the board simulator.
 *
 * LED modes (EVB/1): 0 off, 1 on, 2 slow blink, 3 fast blink, 4 flash once. LEDs 1–5 are the star
 * keys (1 = 非常不满意 … 5 = 非常满意), LED 6 the status LED.
 */
export type BoardStep =
  | 'prompt' // an evaluation opened, or the next item of a chain awaits its rating
  | 'chosen' // a star was chosen and the reasons / extras step is open
  | 'thanks' // rated: the confirmation
  | 'unrated' // the rating time ran out
  | 'idle_on_duty'
  | 'idle_closed'; // paused, away, nobody signed in

export interface BoardPattern {
  leds: LedMode[];
  beep: { freqHz: number; durationMs: number } | null;
}

const STARS_OFF: LedMode[] = [0, 0, 0, 0, 0];

/** The press mark: sounded on a press only while the voice is off (else the star word is spoken). */
export const PRESS_BEEP = { freqHz: 1800, durationMs: 60 } as const;

export function boardPattern(step: BoardStep, chosen: number | null = null): BoardPattern {
  const onlyChosen = STARS_OFF.map((_, i) => (i + 1 === chosen ? 1 : 0)) as LedMode[];
  switch (step) {
    case 'prompt':
      return { leds: [2, 2, 2, 2, 2, 1], beep: { freqHz: 2000, durationMs: 150 } };
    case 'chosen':
      // The chosen star stays lit, the others go dark: the citizen sees the rating is taken and
      // that the pad now waits for something else (the reasons on the screen).
      return { leds: [...onlyChosen, 1], beep: null };
    case 'thanks':
      return { leds: [...onlyChosen, 1], beep: { freqHz: 2400, durationMs: 100 } };
    case 'unrated':
      return { leds: [...STARS_OFF, 1], beep: null };
    case 'idle_on_duty':
      return { leds: [...STARS_OFF, 1], beep: null };
    case 'idle_closed':
      return { leds: [...STARS_OFF, 0], beep: null };
  }
}

/** The table as docs show it (kept here so the docs and the code cannot drift: a test compares). */
export const BOARD_PATTERN_ROWS: Array<{ step: BoardStep; when: string; chosen: number | null }> = [
  { step: 'prompt', when: 'evaluation opened / next chain item', chosen: null },
  { step: 'chosen', when: 'star 2 chosen, reasons step open', chosen: 2 },
  { step: 'thanks', when: 'rated 4 stars (thanks screen, 2 s)', chosen: 4 },
  { step: 'unrated', when: 'rating or reasons time ran out', chosen: null },
  { step: 'idle_on_duty', when: 'no evaluation, staff on duty', chosen: null },
  { step: 'idle_closed', when: 'paused, away or signed out', chosen: null },
];
