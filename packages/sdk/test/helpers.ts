import type { BatchRequest, EligibleMessage, MessagesResponse, WireEvent } from '@hark/protocol';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, vi } from 'vitest';
import { createInstance } from '../src/core/hark.js';
import type { HarkOptions } from '../src/core/types.js';

export const API_HOST = 'https://collector.test';
export const WRITE_KEY = 'wk_test';

type Answer = number | Response | Error;

/**
 * A collector that exists only as `fetch`: it answers `POST https://collector.test/v1/batch`
 * from a script of answers (200 once the script runs out) and records every request, and
 * `GET https://collector.test/v1/messages?…` with `messagesFor(query)` (by default: nothing
 * due, no trigger events), recording each query in `polls`. Any other request is a test
 * failure, recorded in `unexpected` and answered with a rejection.
 */
export function fakeCollector() {
  const answers: Answer[] = [];
  const requests: { url: string; init: RequestInit; body: BatchRequest; at: number }[] = [];
  const beacons: { url: string; body: BatchRequest }[] = [];
  const unexpected: string[] = [];

  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (url !== `${API_HOST}/v1/batch` || init.method !== 'POST' || typeof init.body !== 'string') {
      unexpected.push(`${init.method ?? 'GET'} ${url}`);
      throw new Error(`unexpected request ${url}`);
    }
    requests.push({ url, init, body: JSON.parse(init.body), at: Date.now() });
    const answer = answers.shift() ?? 200;
    if (answer instanceof Error) throw answer;
    return answer instanceof Response ? answer : new Response('{}', { status: answer });
  });
  const sendBeacon = vi.fn((url: string, body: string) => {
    if (url !== `${API_HOST}/v1/batch`) unexpected.push(`beacon ${url}`);
    beacons.push({ url, body: JSON.parse(body) });
    return true;
  });
  const polls: URLSearchParams[] = [];
  const messages = {
    /** What `GET /v1/messages` answers, given the query the App asked with. */
    answer: (_query: URLSearchParams): MessagesResponse => ({ messages: [], triggerEvents: [] }),
  };
  // Batch requests go through `fetch`, so a test can script them with mockImplementationOnce.
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (!url.startsWith(`${API_HOST}/v1/messages?`) || init.method) return fetch(input, init);
    const query = new URL(url).searchParams;
    polls.push(query);
    return new Response(JSON.stringify(messages.answer(query)), { headers: { 'content-type': 'application/json' } });
  });
  vi.spyOn(navigator, 'sendBeacon').mockImplementation(sendBeacon as typeof navigator.sendBeacon);

  return {
    fetch,
    requests,
    polls,
    messages,
    beacons,
    unexpected,
    /** Answers for the next requests, in order: a status, a Response, or an Error (network failure). */
    answer: (...next: Answer[]) => answers.push(...next),
    /** Every event the collector was sent, in the order it was sent, by fetch or by beacon. */
    events: (): WireEvent[] => requests.flatMap((request) => request.body.batch),
    beaconEvents: (): WireEvent[] => beacons.flatMap((beacon) => beacon.body.batch),
  };
}

let controllers: AbortController[] = [];
let restores: (() => void)[] = [];

/** Replaces a property for this test only: the page's own descriptor (or its absence) comes back after. */
function override(target: object, key: string, descriptor: PropertyDescriptor) {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { configurable: true, ...descriptor });
  restores.push(() => (own ? Object.defineProperty(target, key, own) : delete (target as Record<string, unknown>)[key]));
}

const blocked = () => {
  throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag', 'SecurityError');
};

/** document.cookie throws, as in a sandboxed frame. */
export const blockCookies = () => override(document, 'cookie', { get: blocked, set: blocked });

/** localStorage throws on access, as with storage blocked or in a sandboxed frame. */
export const blockLocalStorage = () => override(window, 'localStorage', { get: blocked });

/** The page is hidden (another tab, minimised, or being left), and says so. */
export const hidePage = () => {
  override(document, 'hidden', { get: () => true });
  override(document, 'visibilityState', { get: () => 'hidden' });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
};

/** The browser sends Global Privacy Control and Do Not Track. */
export const sendPrivacySignals = () => {
  override(navigator, 'globalPrivacyControl', { get: () => true });
  override(navigator, 'doNotTrack', { get: () => '1' });
};

/** A started App, as createHark() makes it, that stops listening to the page after the test. */
export function startHark(options: HarkOptions = {}) {
  const controller = new AbortController();
  controllers.push(controller);
  const [app, , start] = createInstance({ writeKey: WRITE_KEY, apiHost: API_HOST, signal: controller.signal, ...options });
  start();
  return app;
}

/** Lets pending promise callbacks (fetch answers) run, and `ms` of fake time pass. */
export const elapse = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

export function clearCookies() {
  for (const cookie of document.cookie.split('; ')) {
    const name = cookie.split('=')[0];
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

/** Every test starts on a fresh page: no storage, no cookies, fake time, the same URL. */
export function useFreshPage() {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-02T03:04:05.000Z') });
    localStorage.clear();
    clearCookies();
    history.replaceState(null, '', '/');
    document.title = 'Home';
  });
  afterEach(() => {
    for (const controller of controllers) controller.abort();
    for (const restore of restores.reverse()) restore();
    controllers = [];
    restores = [];
    vi.clearAllTimers();
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
}

/** dist/hark.js (or another built file) as built by `npm run build`, or a test failure that says how to build it. */
export function readBuiltScript(name = 'hark.js'): string {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run "npm run build" first ("npm test" builds before it tests).`);
  }
  return readFileSync(file, 'utf8');
}

/** An eligible message as `GET /v1/messages` answers it: a notification shown on page view unless `overrides` say otherwise. */
export function eligible(id: string, overrides: Partial<EligibleMessage> = {}): EligibleMessage {
  return {
    id,
    deliveryId: `dlv_${id}`,
    kind: 'notification',
    priority: 0,
    content: { title: `Title of ${id}`, body: `Body of ${id}` },
    appearance: {
      size: 'medium',
      position: 'bottom_right',
      dismissible: true,
      colors: { background: '#ffffff', text: '#1f2937', button: '#4f46e5', buttonText: '#ffffff' },
    },
    trigger: { type: 'page_view' },
    ...overrides,
  } as EligibleMessage;
}
