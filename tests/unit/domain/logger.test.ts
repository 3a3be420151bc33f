import { describe, expect, it } from 'vitest';
import { childLogger } from '../../../src/domain/logger.js';
import type { Logger } from '../../../src/domain/types.js';
import { KeySequencer } from '../../../src/hardware/board/key-sequencer.js';

describe('one levelled logger with child loggers', () => {
  it('a child names its part and keeps the level its part chose', () => {
    const lines: Array<[string, string]> = [];
    const root: Logger = (level, msg) => lines.push([level, msg]);
    const board = childLogger(root, 'board');
    board('warn', 'line error');
    board('info', 'board connected');
    expect(lines).toEqual([
      ['warn', 'board: line error'],
      ['info', 'board: board connected'],
    ]);
  });

  it('the board keeps its levels: lost presses are an error, not info', async () => {
    let t = 0;
    const lines: Array<[string, string]> = [];
    const s = new KeySequencer({
      now: () => t,
      log: childLogger((level, msg) => lines.push([level, msg]), 'board'),
      sendAck: () => undefined,
      deliver: () => Promise.resolve(),
    });
    s.receive('SER1', { bootId: 7, counter: 1, key: 1, kind: 1, uptimeMs: 1 });
    await new Promise((r) => setTimeout(r, 0));
    s.receive('SER1', { bootId: 7, counter: 3, key: 3, kind: 1, uptimeMs: 3 });
    t += 10_000;
    s.tick();
    await new Promise((r) => setTimeout(r, 0));
    s.dispose();
    expect(lines).toContainEqual(['error', 'board: presses lost']);
  });
});
