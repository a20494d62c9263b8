/**
 * A set of callbacks that are all told the same value. A listener that throws is reported and
 * skipped, so one broken page cannot stop the others from hearing about the engine.
 */
export class ListenerSet<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    // Wrapped so that the same function added twice is also removed once per unsubscribe.
    const entry = (value: T): void => listener(value);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('A listener failed', error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
