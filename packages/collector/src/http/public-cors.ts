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
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  };
}
