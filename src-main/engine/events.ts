import type { EventName, EventPayload, HostEvent } from '../../src-shared/api/contract.js';

type Listener = (event: HostEvent) => void;

/** The engine's outgoing event stream; every host adapter subscribes to it. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const message = { event, payload } as HostEvent;
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (error) {
        // One broken subscriber (a closed socket) must not starve the others.
        console.error('event listener failed', error);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
