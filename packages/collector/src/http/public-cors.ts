import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS for the public endpoints (ingest, eligibility): any origin, no credentials.
 *
 * Hono's cors() sets its header on `c.res` before the handler runs; Hono then rebuilds the
 * handler's answer around that earlier response, and @hono/node-server, no longer seeing a plain
 * body, streams the rebuilt answer through a web ReadableStream: 10% of the CPU of a
 * GET /v1/messages in the profiles. So pre-flights still go through cors(), and every other
 * answer (errors included, as app.onError's answer is in `c.res` by then) gets its header after
 * the handler.
 */
export function publicCors(options: { allowMethods: string[]; allowHeaders: string[]; maxAge: number }): MiddlewareHandler {
  const preflight = cors({ origin: '*', ...options });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await publicAnswer(c, next);
  };
}

/**
 * The CORS headers of a public answer, set after the handler (errors included). Retry-After is
 * exposed because a cross-origin page cannot read it otherwise, and both the App and Segment's
 * analytics-next wait out a 429 by it. app.ts also puts this around its per-client rate limit,
 * whose 429 comes before any route's own middleware and would otherwise reach the page as a
 * network error.
 */
export const publicAnswer: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Access-Control-Allow-Origin', '*');
  c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
};
