import type { EventName, KioskEvents } from '../api/contract.js';

export type Listener = (event: EventName, payload: unknown) => void;

/**
 * The one event stream both UI transports subscribe to (snapshots, board keys, notices). A
 * listener that throws is logged and does not stop the others.
 */
export class EventBus {
  private listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: Error) => void) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: KioskEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (err) {
        this.onListenerError(err as Error);
      }
    }
  }
}

/**
 * A fact for the parts built after the one that fires it: the service that commits a change is
 * built before the hardware and the uploader that react to it, so they subscribe here instead of
 * being reached through late closures.
 */
export class Signal<T = void> {
  private handlers: Array<(value: T) => void> = [];

  on(handler: (value: T) => void): void {
    this.handlers.push(handler);
  }

  fire(value: T): void {
    for (const h of this.handlers) h(value);
  }
}
