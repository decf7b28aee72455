/** addEventListener on window, removed when the App's signal aborts. */
export const listen = (type: string, listener: () => unknown, signal?: AbortSignal): void =>
  addEventListener(type, listener, { signal });
