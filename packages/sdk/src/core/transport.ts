import type { BatchRequest, WireEvent } from '@hark/protocol';
import { allowed } from './consent.js';
import type { EventQueue } from './event-queue.js';
import { guard, listen } from './listen.js';
import type { HarkOptions } from './types.js';

/** Send at once when this many events wait; also the most in one request. */
export const BATCH_SIZE = 20;
/** How long to wait for more events before sending fewer. */
export const FLUSH_INTERVAL_MS = 500;
export const MAX_BACKOFF_MS = 60_000;

/** A tuple rather than an object, so no property name survives minification (DESIGN §7). */
export type Transport = [
  /** Send soon: at once if a full batch is waiting, else after a short interval. */
  schedule: () => void,
  /** Send now, unless a request is in flight or the collector asked us to wait. */
  flush: () => void,
];

/**
 * Sends the queue to `POST /v1/batch`, one request at a time. The body is a string, so the
 * request goes as `text/plain` and needs no CORS pre-flight; the write key travels in it.
 *
 * An event leaves the queue only when the collector answered for it, so anything in doubt is
 * sent again later; the collector dedupes by messageId.
 */
export function createTransport(
  [pending, , ack]: EventQueue,
  options: HarkOptions,
  log: (...args: unknown[]) => void,
): Transport {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // How many of the oldest queued events are in the request in flight: 0 when none is.
  let sending = 0;
  // Set while only a timer may send: waiting out a failure or a Retry-After, or once the page is
  // leaving and its events went by beacon.
  let holding: boolean | undefined;
  let failures = 0;

  // One sentAt for the batch: the collector corrects every event's clock by it.
  const request = (batch: WireEvent[]) =>
    [options.apiHost + '/v1/batch', JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: options.writeKey! } satisfies BatchRequest)] as const;
  // Events not already in flight, and a write key and the visitor's consent to send them.
  const ready = () => options.writeKey && allowed(options) && !options.signal?.aborted && pending.length > sending;
  const wait = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(send, ms);
  };

  // Guarded: it runs from timers and listeners too, and fetch may be missing or throw at once.
  const send = guard<unknown[]>(() => {
    clearTimeout(timer);
    timer = holding = undefined;
    if (sending || !ready()) return;
    const batch = pending.slice(0, BATCH_SIZE);
    const [url, body] = request(batch);
    // A keepalive fetch outlives the page, but browsers refuse one over 64 KB.
    fetch(url, { method: 'POST', body, keepalive: body.length < 6e4 })
      .then((response) => {
        log(response.status, batch);
        // Other 4xx answers would not change on a resend: those events are dropped, not retried forever.
        if (response.status == 429 || response.status > 499) throw response;
        failures = 0;
        ack(batch);
      })
      .catch((error: { headers?: Headers }) => {
        // Retry-After in seconds, as the collector sends it; otherwise exponential backoff with
        // jitter, so visitors' retries after an outage do not all arrive together.
        const seconds = parseFloat(error?.headers?.get('retry-after') as string);
        return seconds >= 0 ? seconds * 1e3 : Math.min(MAX_BACKOFF_MS, 1e3 * 2 ** failures++) * (0.5 + Math.random() / 2);
      })
      .then((delay) => {
        sending = 0;
        if (delay == null) send();
        else {
          log('retry in', delay);
          holding = true;
          wait(delay);
        }
      });
    // Set after the call, so a fetch that throws at once cannot leave the queue stuck.
    sending = batch.length;
  }, log);
  const flush = () => holding || send();

  // A hidden page may be frozen or discarded without another event: send now, with a keepalive
  // fetch whose answer still clears the queue if the page lives on.
  listen('visibilitychange', () => document.hidden && flush(), options);
  // The page is going away: a beacon is the surest way out for what is not already in flight
  // (a keepalive fetch finishes on its own). Its answer is never seen, so the events stay stored
  // and the next page on this site sends them again, for the collector to dedupe. A beacon over
  // 64 KB is refused and its events simply wait for that next page. Holding then keeps the
  // visibilitychange that follows pagehide (in Chromium) from sending them a second time.
  listen(
    'pagehide',
    () => holding || (ready() && (holding = navigator.sendBeacon(...request(pending.slice(sending))))),
    options,
  );
  listen('online', () => send((failures = 0)), options);

  return [
    () => {
      if (pending.length >= BATCH_SIZE) flush();
      else if (!timer) wait(FLUSH_INTERVAL_MS);
    },
    flush,
  ];
}
