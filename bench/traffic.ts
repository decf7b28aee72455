import { BENCH_KEYS } from './processes.js';
import { httpRequest } from './load.js';
import type { Random } from './prng.js';

/**
 * What browsers send a collector: page views and track calls with the App's context, batched the
 * way the App batches them (`text/plain`, write key in the body, so no CORS pre-flight).
 */

export const PATHS = [
  '/',
  '/pricing',
  '/docs/getting-started',
  '/blog/launch-week',
  '/app',
  '/app/reports',
  '/app/reports/42',
  '/app/reports/7/export',
  '/app/settings',
  '/app/team/settings',
  '/app/billing',
  '/app/onboarding',
  '/plans',
  '/signup',
] as const;

export const TRACK_EVENTS = [
  'Signed Up',
  'Created Report',
  'Report Exported',
  'Invited Teammate',
  'Clicked Button',
  'Viewed Dashboard',
  'Upgraded Plan',
  'Searched',
  'Filtered List',
  'Opened Settings',
  'Connected Integration',
  'Downloaded Invoice',
] as const;

export const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
] as const;

export const ORIGIN = 'https://app.example.com';

/** One event as the App sends it, as JSON text (built by hand: the generator must stay cheap). */
export function wireEvent(random: Random, messageId: string, anonymousId: string, timestamp: string): string {
  const path = random.pick(PATHS);
  const context =
    `{"page":{"url":"${ORIGIN}${path}","path":"${path}","title":"Example","referrer":""},` +
    `"userAgent":"${random.pick(USER_AGENTS)}","locale":"en-US","timezone":"Europe/Paris",` +
    `"screen":{"width":1440,"height":900},"library":{"name":"hark","version":"0.1.0"}}`;
  if (random.chance(0.4)) {
    return `{"type":"page","messageId":"${messageId}","anonymousId":"${anonymousId}","name":"Example","timestamp":"${timestamp}","properties":{"path":"${path}"},"context":${context}}`;
  }
  const event = random.pick(TRACK_EVENTS);
  return `{"type":"track","event":"${event}","messageId":"${messageId}","anonymousId":"${anonymousId}","timestamp":"${timestamp}","properties":{"plan":"pro","value":${random.int(100)},"format":"pdf"},"context":${context}}`;
}

/** A `POST /v1/batch` request carrying these events. */
export function batchRequest(events: string[], sentAt: string): Buffer {
  const body = `{"batch":[${events.join(',')}],"sentAt":"${sentAt}","writeKey":"${BENCH_KEYS.writeKey}"}`;
  return httpRequest('POST', '/v1/batch', { 'Content-Type': 'text/plain;charset=UTF-8', Origin: ORIGIN }, body);
}

/** Answers 200 with every event of the batch accepted (none rejected, none a duplicate). */
export const acceptedAll = (size: number) => {
  const expected = `"accepted":${size},`;
  return (status: number, body: Buffer): boolean => status === 200 && body.includes(expected);
};

/**
 * A messageId as the App makes them (a random UUID, so inserts land all over the dedupe index),
 * from the seeded generator, prefixed so a run can count its own events afterwards.
 */
export function messageId(random: Random, prefix: string): string {
  const hex = (n: number) => Array.from({ length: n }, () => random.int(16).toString(16)).join('');
  return `${prefix}-${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`;
}

/**
 * Request `index` of an ingest run: `size` fresh events from a pool of `visitors` anonymous ids,
 * so most events land on someone the collector already knows, as on a live site.
 */
export function ingestRequests(options: { random: Random; runId: string; size: number; visitors: number; anonymousPrefix: string }) {
  const now = new Date().toISOString();
  return (index: number): Buffer => {
    const events: string[] = [];
    for (let i = 0; i < options.size; i++) {
      const visitor = `${options.anonymousPrefix}${options.random.skewed(options.visitors)}`;
      events.push(wireEvent(options.random, messageId(options.random, options.runId), visitor, now));
    }
    return batchRequest(events, now);
  };
}
