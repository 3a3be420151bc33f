import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventName, KioskClient, KioskEvents } from '../../../src/api/contract.js';
import type { Transport } from '../../../renderer/src/api/transport.js';
import { touchGuard } from '../../../renderer/src/lib/touch-guard.js';
import { connectStore, useKiosk } from '../../../renderer/src/store.js';

/** A transport whose events the test fires; commands never answer. */
function fakeTransport(): { transport: Transport; fire<E extends EventName>(e: E, p: KioskEvents[E]): void } {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const client: KioskClient = {
    invoke: () => new Promise(() => undefined),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  return {
    transport: { client, kind: 'browser', onConnection: () => () => undefined, initialState: 'open' },
    fire: (e, p) => listeners.get(e)?.forEach((l) => l(p)),
  };
}

let disconnect: (() => void) | null = null;
afterEach(() => {
  disconnect?.();
  disconnect = null;
  vi.useRealTimers();
});

/** The store connected to a fake transport on fake timers, with no key highlighted yet. */
function connected(): (e: 'boardKey', p: KioskEvents['boardKey']) => void {
  vi.useFakeTimers();
  const { transport, fire } = fakeTransport();
  disconnect = connectStore(transport);
  useKiosk.setState({ lastKey: null });
  return (e, p) => fire(e, p);
}

describe('a star key on the board, on the citizen screen', () => {
  it('locks touches out at once, but draws its highlight only if the next screen has not come within 50 ms', () => {
    const fire = connected();
    fire('boardKey', { key: 4, counter: 1, atMs: Date.now() });
    // The touch that lands with the key is the same citizen's second input, from the first moment.
    expect(touchGuard.key()).toBe('repeat');
    // The highlight waits: the thanks screen (a snapshot a few ms behind) replaces the rating
    // screen in the frame the highlight would have cost.
    expect(useKiosk.getState().lastKey).toBeNull();
    vi.advanceTimersByTime(49);
    expect(useKiosk.getState().lastKey).toBeNull();
    // Still within the lock-out while the highlight waits: a tap now is no second rating.
    expect(touchGuard.key()).toBe('repeat');
    vi.advanceTimersByTime(1);
    expect(useKiosk.getState().lastKey).toMatchObject({ key: 4 });
  });

  it('a highlight still waiting when the store disconnects is dropped', () => {
    const fire = connected();
    fire('boardKey', { key: 2, counter: 2, atMs: Date.now() });
    const stop = disconnect;
    disconnect = null;
    stop?.();
    vi.advanceTimersByTime(100);
    expect(useKiosk.getState().lastKey).toBeNull();
  });
});
