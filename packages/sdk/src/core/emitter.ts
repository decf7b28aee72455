import { guard } from './listen.js';

type Listener = (...args: any[]) => void;

/** on and emit. A tuple rather than an object, so no property name survives minification (DESIGN §7). */
export type Emitter = [
  on: (name: string, listener: Listener) => () => void,
  emit: (name: string, ...args: unknown[]) => void,
];

/**
 * A tiny event emitter whose listeners cannot break the App or each other. `on` cannot throw
 * either: a Map takes any name as it is, where an object would convert it to a string (and a
 * name like `__proto__` would reach the prototype).
 */
export function createEmitter(log: (...args: unknown[]) => void): Emitter {
  const listeners = new Map<unknown, Listener[]>();
  const get = (name: unknown) => listeners.get(name) || [];
  return [
    (name, listener) => {
      listeners.set(name, [...get(name), listener]);
      return () => listeners.set(name, get(name).filter((other) => other != listener));
    },
    (name, ...args) => {
      for (const listener of get(name)) guard(listener, log)(...args);
    },
  ];
}
