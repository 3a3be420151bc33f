import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { boardTimeoutS, setupExtraPorts } from '../../../src/host/setup-mode.js';

describe('setup: where the board search looks, and how long it waits', () => {
  it('the configured board.path first, then HCP_SETUP_PORTS (":" or "," between paths)', () => {
    const serial = loadConfig({ env: {}, overrides: { board: { kind: 'serial', path: '/dev/hcp-board' } } });
    expect(setupExtraPorts(serial, { HCP_SETUP_PORTS: '/tmp/a:/tmp/b, /tmp/c' })).toEqual([
      '/dev/hcp-board',
      '/tmp/a',
      '/tmp/b',
      '/tmp/c',
    ]);
    expect(setupExtraPorts(loadConfig({ env: {} }), {})).toEqual([]);
  });

  it('waits 60 s for the key unless HCP_SETUP_BOARD_TIMEOUT_S says 5–300', () => {
    expect(boardTimeoutS({})).toBe(60);
    expect(boardTimeoutS({ HCP_SETUP_BOARD_TIMEOUT_S: '8' })).toBe(8);
    expect(boardTimeoutS({ HCP_SETUP_BOARD_TIMEOUT_S: '2' })).toBe(60);
    expect(boardTimeoutS({ HCP_SETUP_BOARD_TIMEOUT_S: 'soon' })).toBe(60);
  });
});
