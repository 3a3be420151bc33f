import { describe, expect, it } from 'vitest';
import { TouchGuard, type PointerLike } from '../../../renderer/src/lib/touch-guard.js';

function setup() {
  let now = 1000;
  const guard = new TouchGuard(undefined, () => now);
  const p = (id: number, extra: Partial<PointerLike> = {}): PointerLike => ({
    pointerId: id,
    pointerType: 'touch',
    clientX: 100,
    clientY: 100,
    width: 20,
    height: 20,
    ...extra,
  });
  const tap = (id: number, heldMs = 80, extra: Partial<PointerLike> = {}) => {
    guard.down(p(id, extra));
    now += heldMs;
    return guard.up(p(id, extra));
  };
  return { guard, p, tap, advance: (ms: number) => (now += ms) };
}

describe('touch guard: one touch counts once', () => {
  it('a deliberate tap counts; a 5 ms ghost contact does not', () => {
    const { tap, advance } = setup();
    expect(tap(1, 5)).toBe('ghost');
    advance(1000);
    expect(tap(2, 90)).toBe('tap');
  });

  it('a resistive double-fire within the lock-out counts once', () => {
    const { tap, advance } = setup();
    expect(tap(1)).toBe('tap');
    advance(60);
    expect(tap(2)).toBe('repeat');
    advance(600);
    expect(tap(3)).toBe('tap');
  });

  it('a second press elsewhere within the lock-out counts (two reasons, fast typing); the same spot does not', () => {
    const { tap, advance } = setup();
    expect(tap(1)).toBe('tap');
    advance(150);
    expect(tap(2, 80, { clientX: 220 })).toBe('tap'); // another button, 120 px away
    advance(100);
    expect(tap(3, 80, { clientX: 235 })).toBe('repeat'); // 15 px from the last one taken
  });

  it("a double-fire that lands on the next screen's button at the same spot is still a repeat", () => {
    const { tap, advance } = setup();
    expect(tap(1)).toBe('tap'); // the star; the reasons screen replaces it
    advance(90);
    expect(tap(2, 40, { clientX: 104, clientY: 97 })).toBe('repeat');
  });

  it('keyboard activation meets its own repeat and the board key, never a tap elsewhere', () => {
    const { guard, tap, advance } = setup();
    expect(tap(1)).toBe('tap');
    advance(50);
    expect(guard.key()).toBe('tap');
    advance(50);
    expect(guard.key()).toBe('repeat');
    advance(500);
    guard.external();
    advance(50);
    expect(guard.key()).toBe('repeat');
  });

  it('a palm (wide contact, or several at once) spoils the gesture until every contact is lifted', () => {
    const { guard, p, tap, advance } = setup();
    expect(tap(1, 80, { width: 90, height: 70 })).toBe('palm');
    advance(500);
    guard.down(p(2));
    guard.down(p(3, { clientX: 300 }));
    advance(80);
    expect(guard.up(p(2))).toBe('palm');
    expect(guard.up(p(3, { clientX: 300 }))).toBe('palm');
    advance(500);
    expect(tap(4)).toBe('tap');
  });

  it('a drag or a resting hand does not count; a board key starts the lock-out', () => {
    const { guard, p, tap, advance } = setup();
    guard.down(p(1));
    advance(80);
    expect(guard.up(p(1, { clientX: 180 }))).toBe('drag');
    expect(tap(2, 4000)).toBe('held');
    advance(1000);
    guard.external();
    advance(100);
    expect(tap(3)).toBe('repeat');
    expect(tap(4, 80, { clientX: 600, clientY: 400 })).toBe('repeat'); // anywhere: the key won
    advance(400);
    expect(tap(5)).toBe('tap');
  });
});
