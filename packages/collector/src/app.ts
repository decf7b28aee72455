import { Hono } from 'hono';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { ApiError } from './http/api-error.js';
import { requireSecretKey, type AuthVariables } from './http/auth.js';
import type { GeoLocator } from './geo/geo-locator.js';
import { clientAddress } from './http/client-address.js';
import { createRateLimiter, type RateLimit } from './http/rate-limit.js';
import { companyRoutes } from './routes/company-routes.js';
import { eligibilityRoutes } from './routes/eligibility-routes.js';
import { importRoutes } from './routes/import-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { listRoutes } from './routes/list-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { peopleRoutes } from './routes/people-routes.js';
import { privacyRoutes } from './routes/privacy-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { segmentRoutes } from './routes/segment-routes.js';
import { suppressionRuleRoutes } from './routes/suppression-rule-routes.js';
import { staticRoutes, type StaticOptions } from './routes/static-routes.js';
import { InvalidCursorError } from './store/cursor.js';
import type { Store } from './store/store.js';

export interface AppOptions {
  store: Store;
  clock?: Clock;
  static?: StaticOptions;
  /** Where unexpected errors are reported; defaults to console.error. */
  logError?: (error: unknown) => void;
  /** Request rate limits; each one left out is not applied (tests, benchmarks). */
  rateLimits?: { perClient?: RateLimit; perWriteKey?: RateLimit; admin?: RateLimit };
  /** Read the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean;
  /** Locates events by their client address (HARK_GEO); left out, events carry no location. */
  geo?: GeoLocator | null;
  /** The largest CSV import accepted, in bytes (50 MB by default). */
  importMaxBytes?: number;
}

/**
 * The whole collector as a Hono app. It never listens: `server.ts` serves it, and tests call
 * `app.request()` directly.
 *
 * @example
 * const app = createApp({ store: openSqliteStore({ path: ':memory:' }) });
 * const res = await app.request('/healthz');
 */
export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logError = options.logError ?? ((error: unknown) => console.error('[hark]', error));
  const app = new Hono();
  const limits = options.rateLimits ?? {};
  const perClient = limits.perClient && createRateLimiter(limits.perClient, clock);
  const perWriteKey = limits.perWriteKey && createRateLimiter(limits.perWriteKey, clock);
  const adminLimit = limits.admin && createRateLimiter(limits.admin, clock);

  if (perClient) {
    app.use('/v1/*', async (c, next) => {
      if (c.req.method !== 'OPTIONS') perClient.take(clientAddress(c, options.trustProxy ?? false), 'address');
      await next();
    });
  }

  app.get('/healthz', async (c) => ((await store.ping()) ? c.json({ ok: true }) : c.json({ ok: false }, 503)));
  app.route('/v1', ingestRoutes({ store, clock, geo: options.geo ?? null, trustProxy: options.trustProxy ?? false, ...(perWriteKey ? { perKeyLimit: perWriteKey } : {}) }));
  app.route('/v1', eligibilityRoutes({ store, clock }));

  const admin = new Hono<{ Variables: AuthVariables }>();
  if (adminLimit) {
    admin.use('*', async (c, next) => {
      adminLimit.take(clientAddress(c, options.trustProxy ?? false), 'address');
      await next();
    });
  }
  admin.use('*', requireSecretKey(store));
  admin.route('/', peopleRoutes({ store }));
  admin.route('/', messageRoutes({ store, clock }));
  admin.route('/', projectRoutes({ store, clock }));
  admin.route('/', privacyRoutes({ store }));
  admin.route('/', listRoutes({ store, clock }));
  admin.route('/', segmentRoutes({ store, clock }));
  admin.route('/', suppressionRuleRoutes({ store, clock }));
  admin.route('/', companyRoutes({ store, clock }));
  admin.route('/', importRoutes({ store, clock, logError, ...(options.importMaxBytes ? { maxBytes: options.importMaxBytes } : {}) }));
  app.route('/api/v1', admin);

  app.route('/', staticRoutes(options.static ?? {}));

  app.notFound((c) => c.json(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`).toBody(), 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status, error.headers);
    if (error instanceof InvalidCursorError) return c.json(new ApiError(400, 'invalid_cursor', error.message).toBody(), 400);
    logError(error);
    return c.json(new ApiError(500, 'internal', 'The collector failed to handle this request; nothing it acknowledged was lost.').toBody(), 500);
  });
  return app;
}
