import type { EligibleMessage, MessageEventProperties, WireEvent } from '@hark/protocol';

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
  /**
   * Your Content-Security-Policy nonce: put on the script that loads the message UI
   * (hark-ui.js) and on its `<style>` where constructable stylesheets are missing.
   */
  nonce?: string;
}

/** The App, as `window.hark` (callable as `hark('track', …)` too) or from `createHark()`. */
export interface Hark {
  /** Change settings; meant for the first call in the snippet's queue. */
  init(options: HarkOptions): Result;
  /** Say who the visitor is; their anonymous history joins their contact. */
  identify(userId: string | number, traits?: Properties, options?: { userHash?: string }): Result;
  /** `parentId`: the messageId of the event this one follows (the chain of events). */
  track(event: string, properties?: Properties, options?: { parentId?: string }): Result;
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

export type { WireEvent };

/**
 * What the core hands the message UI: the script tag the core adds to load hark-ui.js carries it,
 * and the UI finds it as `document.currentScript`. Its names are short and fixed, since two
 * separate builds share them.
 */
export interface UiBridge {
  /**
   * Poll answers waiting for the UI, oldest first: the messages due and, when the poll followed
   * a `track` that triggers messages, that event. Once loaded, the UI takes what waits here and
   * puts its own `push` in place, so later answers go straight to it.
   */
  q: { push(answer: UiAnswer): unknown };
  /** The App's `track`: the UI records an interaction through it, so it goes through the core's queue (and survives offline and reloads). */
  t: Hark['track'];
  /** The core's emit: the UI tells the page's listeners `message:shown`, `message:clicked`, `message:dismissed` or `message:answered`. */
  e(name: string, properties: MessageEventProperties): void;
}

export type UiAnswer = [messages: EligibleMessage[], event: WireEvent | false | undefined];
