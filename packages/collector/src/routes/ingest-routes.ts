import { LIMITS, type EventType } from '@hark/protocol';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { projectForWriteKey, writeKeyFromRequest } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { ingestEvents } from '../ingest/ingest-events.js';
import type { Store } from '../store/store.js';

const SINGLE_EVENT_ROUTES: Record<string, EventType> = {
  identify: 'identify',
  track: 'track',
  page: 'page',
  screen: 'screen',
  group: 'group',
  alias: 'alias',
};

/**
 * The public, Segment-compatible ingest API (DESIGN §3). Answers CORS for any origin without
 * credentials, so the App can POST `text/plain` from the customer's site with no pre-flight.
 */
export function ingestRoutes(deps: { store: Store; clock: Clock }): Hono {
  const routes = new Hono();
  routes.use('*', cors({ origin: '*', allowMethods: ['GET', 'POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding'], maxAge: 86400 }));

  routes.post('/batch', async (c) => {
    const receivedAt = deps.clock.now();
    const body = await readJsonBody(c.req.raw);
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { batch?: unknown }).batch)) {
      throw new ApiError(400, 'invalid_batch', 'The body must be an object with a "batch" array of events.');
    }
    const { batch, sentAt, context, writeKey } = body as { batch: unknown[]; sentAt?: unknown; context?: unknown; writeKey?: unknown };
    const project = await projectForWriteKey(deps.store, writeKeyFromRequest(c) ?? (typeof writeKey === 'string' ? writeKey : null));
    if (batch.length > LIMITS.maxBatchEvents) {
      throw new ApiError(413, 'batch_too_large', `A batch holds at most ${LIMITS.maxBatchEvents} events; this one has ${batch.length}.`);
    }
    const result = await ingestEvents(deps.store, project.id, batch, {
      receivedAt,
      sentAt: parseTime(sentAt),
      context: isObject(context) ? context : null,
      userAgent: c.req.header('user-agent') ?? null,
    });
    return c.json(result, 200);
  });

  for (const [path, type] of Object.entries(SINGLE_EVENT_ROUTES)) {
    routes.post(`/${path}`, async (c) => {
      const receivedAt = deps.clock.now();
      const body = await readJsonBody(c.req.raw, LIMITS.maxEventBytes * 2);
      if (!isObject(body)) throw new ApiError(400, 'invalid_event', 'The body must be one event as a JSON object.');
      const project = await projectForWriteKey(deps.store, writeKeyFromRequest(c) ?? (typeof body.writeKey === 'string' ? body.writeKey : null));
      const { writeKey: _key, ...event } = body;
      const result = await ingestEvents(deps.store, project.id, [{ ...event, type }], {
        receivedAt,
        sentAt: null,
        context: null,
        userAgent: c.req.header('user-agent') ?? null,
      });
      const rejected = result.rejected[0];
      if (rejected) throw new ApiError(400, rejected.code, rejected.message);
      return c.json(result, 200);
    });
  }
  return routes;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
