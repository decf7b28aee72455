import { Hono, type Context } from 'hono';
import type { Clock } from '../clock.js';
import { followClick, readUnsubscribe, recordOpen, unsubscribe } from '../email/tracking-actions.js';
import type { Store } from '../store/store.js';

// The smallest transparent GIF: 1×1, one colour.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The URLs inside sent emails (public, no credentials: the token is the credential): the open
 * pixel, click redirects and one-click unsubscribe. Anything we did not sign answers a plain
 * 404, whatever is wrong with it, so a reader learns nothing about other sends.
 */
export function emailTrackingRoutes(deps: { store: Store; clock: Clock }): Hono {
  const routes = new Hono();
  const unknown = (c: Context) => c.text('This link is not valid.', 404, { 'cache-control': 'no-store' });

  routes.get('/e/o/:file', async (c) => {
    const file = c.req.param('file');
    if (!file.endsWith('.gif') || !(await recordOpen(deps, file.slice(0, -'.gif'.length)))) return unknown(c);
    return c.body(new Uint8Array(PIXEL), 200, { 'content-type': 'image/gif', 'cache-control': 'no-store, max-age=0' });
  });

  routes.get('/e/c/:token', async (c) => {
    const landing = await followClick(deps, c.req.param('token'));
    if (!landing) return unknown(c);
    return c.redirect(landing, 302);
  });

  routes.get('/e/u/:token', async (c) => {
    if (!(await readUnsubscribe(deps, c.req.param('token')))) return unknown(c);
    // A GET never unsubscribes: mail scanners follow every link in a message.
    return c.html(page('Unsubscribe', '<p>Stop receiving these emails?</p><form method="post"><button type="submit">Unsubscribe</button></form>'), 200, { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
  });

  routes.post('/e/u/:token', async (c) => {
    const who = await readUnsubscribe(deps, c.req.param('token'));
    if (!who) return unknown(c);
    await unsubscribe(deps, who);
    return c.html(page('Unsubscribed', '<p>You are unsubscribed. You will not receive these emails any more.</p>'), 200, { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' });
  });

  return routes;
}

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:6px;background:#222;color:#fff;cursor:pointer}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
