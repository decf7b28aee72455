type Listener = (...args: any[]) => void;

export interface Emitter {
  on(name: string, listener: Listener): () => void;
  emit(name: string, ...args: unknown[]): void;
}

/**
 * A tiny event emitter whose listeners cannot break the App or each other. `on` cannot throw
 * either: the map has no prototype, so even a name like `__proto__` is just a name.
 */
export function createEmitter(log: (...args: unknown[]) => void): Emitter {
  const listeners: Record<string, Listener[]> = Object.create(null);
  return {
    on(name, listener) {
      (listeners[name] ||= []).push(listener);
      return () => {
        listeners[name] = listeners[name]!.filter((other) => other != listener);
      };
    },
    emit(name, ...args) {
      for (const listener of listeners[name] || []) {
        try {
          listener(...args);
        } catch (error) {
          log(name, error);
        }
      }
    },
  };
}
