import { LIMITS, type EventType } from '@hark/protocol';
import { Hono, type Context } from 'hono';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { publicCors } from '../http/public-cors.js';
import { keyFromRequest, senderForKey } from '../http/auth.js';
import { clientAddress } from '../http/client-address.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { GeoLocator } from '../geo/geo-locator.js';
import { nodeIncoming, readJsonBody } from '../http/read-body.js';
import { ingestEvents, type IngestHooks } from '../ingest/ingest-events.js';
import { checkJsonTree } from '../ingest/json-tree.js';
import type { Store } from '../store/store.js';
import { parseInstant } from '../time.js';

const SINGLE_EVENT_ROUTES: Record<string, EventType> = {
  identify: 'identify',
  track: 'track',
  page: 'page',
  screen: 'screen',
  group: 'group',
  alias: 'alias',
};

/**
 * Each route also answers at its first letter: Segment's browser library (analytics-next) posts
 * an event to its type's initial (`/v1/t`, `/v1/i`, `/v1/p`, `/v1/s`, `/v1/g`, `/v1/a`) and a
 * batch to `/v1/b`. Same auth, caps, validation and answer.
 */
const withShortPath = (path: string): string[] => [`/${path}`, `/${path.charAt(0)}`];

export interface IngestDeps {
  store: Store;
  clock: Clock;
  /** Applied per write key once the request is authenticated. */
  perKeyLimit?: RateLimiter;
  /** Turns the client address into a location (HARK_GEO); absent when off. */
  geo?: GeoLocator | null;
  /** Read the address from X-Forwarded-For (HARK_TRUST_PROXY). */
  trustProxy?: boolean | number;
  /** What other domains add to the write path (outbound webhooks). */
  hooks?: IngestHooks;
}

/**
 * The public, Segment-compatible ingest API (DESIGN §3). Answers CORS for any origin without
 * credentials, so the App can POST `text/plain` from the customer's site with no pre-flight.
 */
export function ingestRoutes(deps: IngestDeps): Hono {
  const routes = new Hono();
  // X-Retry-Count: analytics-next sends it on every resend, so its pre-flight asks for it.
  routes.use(
    '*',
    publicCors({ allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding', 'X-Retry-Count'], maxAge: 86400 }),
  );

  const sender = async (c: Context, bodyKey: unknown) => {
    const key = keyFromRequest(c) ?? (typeof bodyKey === 'string' && bodyKey ? { key: bodyKey, from: 'body' as const } : null);
    const found = await senderForKey(deps.store, key, c.req.header('origin'));
    deps.perKeyLimit?.take(found.project.id, 'project');
    return found;
  };
  const locate = (c: Context) => (deps.geo ? deps.geo.locate(clientAddress(c, deps.trustProxy ?? false)) : null);

  const batchRoute = async (c: Context) => {
    const receivedAt = deps.clock.now();
    const body = await readJsonBody(c.req.raw, LIMITS.maxBatchBytes, nodeIncoming(c.env));
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { batch?: unknown }).batch)) {
      throw new ApiError(400, 'invalid_batch', 'The body must be an object with a "batch" array of events.');
    }
    const { batch, sentAt, context, writeKey } = body as { batch: unknown[]; sentAt?: unknown; context?: unknown; writeKey?: unknown };
    const from = await sender(c, writeKey);
    if (batch.length > LIMITS.maxBatchEvents) {
      throw new ApiError(413, 'batch_too_large', `A batch holds at most ${LIMITS.maxBatchEvents} events; this one has ${batch.length}.`);
    }
    const result = await ingestEvents(deps.store, from, batch, {
      receivedAt,
      sentAt: parseTime(sentAt),
      context: batchContext(context),
      userAgent: c.req.header('user-agent') ?? null,
      geo: locate(c),
    }, deps.hooks);
    return c.json(result, 200);
  };
  routes.on('POST', withShortPath('batch'), batchRoute);

  for (const [path, type] of Object.entries(SINGLE_EVENT_ROUTES)) {
    const eventRoute = async (c: Context) => {
      const receivedAt = deps.clock.now();
      const body = await readJsonBody(c.req.raw, LIMITS.maxEventBytes * 2, nodeIncoming(c.env));
      if (!isObject(body)) throw new ApiError(400, 'invalid_event', 'The body must be one event as a JSON object.');
      const { writeKey, ...event } = body;
      const from = await sender(c, writeKey);
      const result = await ingestEvents(deps.store, from, [{ ...event, type }], {
        receivedAt,
        sentAt: null,
        context: null,
        userAgent: c.req.header('user-agent') ?? null,
        geo: locate(c),
      }, deps.hooks);
      const rejected = result.rejected[0];
      if (rejected) throw new ApiError(400, rejected.code, rejected.message);
      return c.json(result, 200);
    };
    routes.on('POST', withShortPath(path), eventRoute);
  }
  return routes;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The batch-level context is copied into every event of the batch, so it has an event's caps:
 * depth, keys and string lengths checked, and at most one event's size (500 copies of a 400 KB
 * context would turn one request into 200 MB of rows).
 */
function batchContext(value: unknown): Record<string, unknown> | null {
  if (!isObject(value)) return null;
  const checked = checkJsonTree(value, 'context');
  if (!checked.ok) throw new ApiError(400, 'invalid_batch', checked.message);
  const size = Buffer.byteLength(JSON.stringify(checked.value));
  if (size > LIMITS.maxEventBytes) {
    throw new ApiError(413, 'payload_too_large', `The batch context is ${size} bytes; like an event, it may be at most ${LIMITS.maxEventBytes}.`);
  }
  return checked.value;
}

function parseTime(value: unknown): number | null {
  return typeof value === 'string' || typeof value === 'number' ? parseInstant(value) : null;
}
