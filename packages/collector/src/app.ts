import { Hono } from 'hono';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { ApiError } from './http/api-error.js';
import { requireAdmin, type AuthVariables } from './http/auth.js';
import type { GeoLocator } from './geo/geo-locator.js';
import { clientAddress } from './http/client-address.js';
import { publicAnswer } from './http/public-cors.js';
import { createRateLimiter, type RateLimit } from './http/rate-limit.js';
import { automationRoutes } from './routes/automation-routes.js';
import { jobsEmailQueue } from './email/email-queue.js';
import { systemResolver, type DnsResolver, type DomainPolicy } from './email/sending-domains.js';
import { chainRoutes } from './routes/chain-routes.js';
import { hookSourceRoutes } from './routes/hook-source-routes.js';
import { inboundHookRoutes } from './routes/inbound-hook-routes.js';
import { companyRoutes } from './routes/company-routes.js';
import { eligibilityRoutes } from './routes/eligibility-routes.js';
import { domainRoutes } from './routes/domain-routes.js';
import { emailSendRoutes } from './routes/email-send-routes.js';
import { emailTemplateRoutes } from './routes/email-template-routes.js';
import { emailPreviewFrameRoute } from './routes/email-preview-frame-route.js';
import { emailTrackingRoutes } from './routes/email-tracking-routes.js';
import { importRoutes } from './routes/import-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { listRoutes } from './routes/list-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { peopleRoutes } from './routes/people-routes.js';
import { privacyRoutes } from './routes/privacy-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { publicSessionRoutes, sessionRoutes } from './routes/session-routes.js';
import { teamRoutes } from './routes/team-routes.js';
import { segmentSettingsRoutes } from './routes/segment-settings-routes.js';
import { segmentRoutes } from './routes/segment-routes.js';
import { suppressionRuleRoutes } from './routes/suppression-rule-routes.js';
import { staticRoutes, type StaticOptions } from './routes/static-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { InvalidCursorError } from './store/cursor.js';
import type { Store } from './store/store.js';
import { createMembership, createSignIn } from './team/index.js';
import { queueEventWebhooks } from './webhooks/queue-event-webhooks.js';
import { NO_SUBSCRIPTIONS, sharedWebhookSubscriptions } from './webhooks/webhook-subscriptions.js';
import type { ResolveHost } from './webhooks/webhook-target.js';

/** Password guesses: 10 a minute per address after a burst of 20; 2 a minute per email after 10. */
const LOGIN_LIMITS = { perAddress: { perSecond: 1 / 6, burst: 20 }, perEmail: { perSecond: 1 / 30, burst: 10 } };

export interface AppOptions {
  store: Store;
  clock?: Clock;
  static?: StaticOptions;
  /** Where unexpected errors are reported; defaults to console.error. */
  logError?: (error: unknown) => void;
  /** Request rate limits; each one left out is not applied (tests, benchmarks). */
  rateLimits?: { perClient?: RateLimit; perWriteKey?: RateLimit; admin?: RateLimit };
  /**
   * How many proxies you run in front of the collector (true: one): the client address is read
   * from X-Forwarded-For that many entries from the right (client-address.ts).
   */
  trustProxy?: boolean | number;
  /** Login (and setup, invite, current-password) attempts; always applied, these replace the defaults. */
  loginLimits?: { perAddress?: RateLimit; perEmail?: RateLimit };
  /** Locates events by their client address (HARK_GEO); left out, events carry no location. */
  geo?: GeoLocator | null;
  /**
   * Email sending (issue 13). `smtp`: mail leaves over HARK_SMTP_URL, so a From must be on a
   * verified domain; without it (the default) mail goes to the local outbox. `resolver` is the DNS
   * domain verification reads (tests stub it); `policy` the provider's SPF include and return path.
   */
  email?: { smtp?: boolean; resolver?: DnsResolver; policy?: DomainPolicy; publicUrl?: string | null };
  /** The largest CSV import accepted, in bytes (50 MB by default). */
  importMaxBytes?: number;
  /** Outbound webhooks: `allowPrivate` (HARK_WEBHOOKS_ALLOW_PRIVATE) lets them target private and loopback addresses. */
  webhooks?: { allowPrivate?: boolean; resolve?: ResolveHost };
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
    app.use('/v1/*', publicAnswer);
    app.use('/v1/*', async (c, next) => {
      if (c.req.method !== 'OPTIONS') perClient.take(clientAddress(c, options.trustProxy ?? false), 'address');
      await next();
    });
  }

  // Each stored event some webhook subscribes to queues a delivery inside the ingest transaction;
  // the cached subscription set keeps this to a map lookup for a project without webhooks.
  const subscriptions = sharedWebhookSubscriptions(store.webhooks, clock);
  const ingestHooks = async (projectId: string) => {
    const set = await subscriptions.forProject(projectId);
    return set === NO_SUBSCRIPTIONS ? [] : [queueEventWebhooks(set)];
  };

  app.get('/healthz', async (c) => ((await store.ping()) ? c.json({ ok: true }) : c.json({ ok: false }, 503)));
  app.route('/v1', ingestRoutes({ store, clock, geo: options.geo ?? null, trustProxy: options.trustProxy ?? false, hooks: ingestHooks, ...(perWriteKey ? { perKeyLimit: perWriteKey } : {}) }));
  app.route('/v1', eligibilityRoutes({ store, clock }));
  app.route('/v1', segmentSettingsRoutes({ store, trustProxy: options.trustProxy ?? false }));
  // The URLs inside sent emails (open pixel, clicks, unsubscribe): public, the token is the credential.
  app.route('/', emailTrackingRoutes({ store, clock }));
  app.route('/', inboundHookRoutes({ store, clock }));

  const admin = new Hono<{ Variables: AuthVariables }>();
  if (adminLimit) {
    admin.use('*', async (c, next) => {
      adminLimit.take(clientAddress(c, options.trustProxy ?? false), 'address');
      await next();
    });
  }
  const signIn = createSignIn({ store, clock });
  const membership = createMembership({ store, clock });
  const trustProxy = options.trustProxy ?? false;
  const sessionDeps = {
    signIn,
    membership,
    trustProxy,
    limits: {
      perAddress: createRateLimiter(options.loginLimits?.perAddress ?? LOGIN_LIMITS.perAddress, clock),
      perEmail: createRateLimiter(options.loginLimits?.perEmail ?? LOGIN_LIMITS.perEmail, clock),
    },
  };
  // Setup, login and invites answer without credentials, so they are mounted before the guard.
  app.route('/api/v1', publicSessionRoutes(sessionDeps));
  admin.use('*', requireAdmin({ store, signIn, prefix: '/api/v1' }));
  admin.route('/', sessionRoutes(sessionDeps));
  admin.route('/', teamRoutes({ membership }));
  admin.route('/', peopleRoutes({ store, clock }));
  admin.route('/', messageRoutes({ store, clock }));
  admin.route('/', projectRoutes({ store, clock }));
  admin.route('/', privacyRoutes({ store }));
  admin.route('/', listRoutes({ store, clock }));
  admin.route('/', segmentRoutes({ store, clock }));
  admin.route('/', suppressionRuleRoutes({ store, clock }));
  admin.route('/', companyRoutes({ store, clock }));
  admin.route('/', automationRoutes({ store, clock }));
  admin.route('/', emailTemplateRoutes({ store, clock }));
  const email = options.email ?? {};
  admin.route('/', emailSendRoutes({ store, clock, queue: jobsEmailQueue(store.jobs, clock), requireVerifiedDomain: email.smtp ?? false, trustProxy, publicUrl: email.publicUrl ?? null }));
  admin.route('/', domainRoutes({ store, clock, resolver: email.resolver ?? systemResolver, policy: email.policy ?? { spfInclude: null, returnPathHost: null } }));
  admin.route('/', chainRoutes({ store }));
  admin.route('/', hookSourceRoutes({ store, clock, trustProxy }));
  admin.route('/', importRoutes({ store, clock, logError, ...(options.importMaxBytes ? { maxBytes: options.importMaxBytes } : {}) }));
  admin.route('/', webhookRoutes({ store, clock, subscriptions, allowPrivate: options.webhooks?.allowPrivate ?? false, ...(options.webhooks?.resolve ? { resolve: options.webhooks.resolve } : {}) }));
  app.route('/api/v1', admin);

  app.route('/', emailPreviewFrameRoute());
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
