/**
 * `fn`, made safe to run where nothing guards it (a timer, a listener, a promise callback): what it
 * throws, such as a TypeError where the browser has no fetch or sendBeacon, stays out of the page.
 */
export const guard =
  <A extends unknown[]>(fn: (...args: A) => unknown, log?: (...args: unknown[]) => void) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch (error) {
      log?.(error);
    }
  };

/**
 * addEventListener on window, guarded, and removed when the App's signal aborts. Takes the App's
 * options rather than the signal: every caller has them, and `options.signal` once is fewer bytes.
 */
export const listen = (type: string, listener: () => unknown, options: { signal?: AbortSignal }): void =>
  addEventListener(type, guard(listener), { signal: options.signal });
