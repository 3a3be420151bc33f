import { describe, expect, it } from 'vitest';
import { formatCountdown, isUrgent, secondsLeft } from '../../../renderer/src/lib/countdown.js';
import { percent } from '../../../renderer/src/lib/format.js';
import { tokenFromHash, wsUrl } from '../../../renderer/src/api/token.js';

describe('countdown', () => {
  it('rounds the time left up to whole seconds and never goes negative', () => {
    expect(secondsLeft(60_000, 0)).toBe(60);
    expect(secondsLeft(60_000, 1)).toBe(60);
    expect(secondsLeft(60_000, 59_001)).toBe(1);
    expect(secondsLeft(60_000, 60_000)).toBe(0);
    expect(secondsLeft(60_000, 75_000)).toBe(0);
  });

  it('formats under a minute as a plain number, a minute and more as m:ss', () => {
    expect(formatCountdown(0)).toBe('0');
    expect(formatCountdown(9)).toBe('9');
    expect(formatCountdown(59)).toBe('59');
    expect(formatCountdown(60)).toBe('1:00');
    expect(formatCountdown(75)).toBe('1:15');
    expect(formatCountdown(-3)).toBe('0');
  });

  it('marks the last ten seconds as urgent', () => {
    expect(isUrgent(11)).toBe(false);
    expect(isUrgent(10)).toBe(true);
    expect(isUrgent(0)).toBe(true);
  });
});

describe('small formatters', () => {
  it('shows rates as percentages and a dash when there is nothing to divide', () => {
    expect(percent(null)).toBe('—');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0.8765)).toBe('87.7%');
  });

  it('reads the shell token from the hash and builds the socket URL', () => {
    expect(tokenFromHash('#token=abc_DEF-1')).toBe('abc_DEF-1');
    expect(tokenFromHash('#x=1&token=q%2Bz')).toBe('q+z');
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
    expect(wsUrl('http:', '127.0.0.1:4000', 'a+b')).toBe('ws://127.0.0.1:4000/api?token=a%2Bb');
    expect(wsUrl('https:', 'pad.local', 't')).toBe('wss://pad.local/api?token=t');
  });
});
