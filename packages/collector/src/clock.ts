/** Where the collector reads the time. Tests pass a fixed clock; the server passes `systemClock`. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
