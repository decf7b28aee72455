import type { WireEvent } from '@hark/protocol';

/** Every public call answers with a value instead of throwing into the host page. */
export type Result = { ok: true } | { ok: false; error: string };

export type Properties = Record<string, unknown>;

export interface HarkOptions {
  /** The project's public write key. */
  writeKey?: string;
  /**
   * The collector's origin, e.g. `https://hark.example.com`. The script tag defaults it to the
   * origin hark.js was loaded from; the ES module to the page's own origin.
   */
  apiHost?: string;
  /** Share the anonymous id across subdomains, e.g. `example.com`. */
  cookieDomain?: string;
  /** Treat Global Privacy Control and Do Not Track as an opt-out, unless the visitor opts in. */
  respectDnt?: boolean;
  /** Record a page view on load and on every SPA navigation. Default true. */
  autoPage?: boolean;
  /** Log failed calls and requests to the console. */
  debug?: boolean;
  /** Aborting it stops the App listening to the page: for SPA teardown and tests. */
  signal?: AbortSignal;
}

/** The App, as `window.hark` (callable as `hark('track', …)` too) or from `createHark()`. */
export interface Hark {
  /** Change settings; meant for the first call in the snippet's queue. */
  init(options: HarkOptions): Result;
  /** Say who the visitor is; their anonymous history joins their contact. */
  identify(userId: string | number, traits?: Properties, options?: { userHash?: string }): Result;
  track(event: string, properties?: Properties): Result;
  page(name?: string, properties?: Properties): Result;
  group(groupId: string | number, traits?: Properties): Result;
  /** On logout: forget the user and start a new anonymous id. */
  reset(): Result;
  /** Stop recording and forget the ids and unsent events; remembered on this browser. */
  optOut(): Result;
  optIn(): Result;
  debug(on?: boolean): Result;
  /**
   * Listen to the App: `message:shown`, `message:clicked`, `message:dismissed`,
   * `message:answered`, and `event` for every event recorded. Returns a function that stops
   * listening.
   */
  on(name: string, listener: (...args: any[]) => void): () => void;
}

/** What the messages module (a later issue) may use of the App's core. */
export interface HarkCore {
  readonly options: HarkOptions;
  readonly hark: Hark;
  anonymousId(): string;
  userId(): string | undefined;
  /** False while the visitor has opted out: messages must then be neither fetched nor shown. */
  allowed(): boolean;
  emit(name: string, ...args: unknown[]): void;
  log(...args: unknown[]): void;
}

export type { WireEvent };
