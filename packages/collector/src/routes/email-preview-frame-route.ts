import { createHash } from 'node:crypto';
import { Hono } from 'hono';

/**
 * The page the console's email preview frame loads. The console's own CSP (no inline styles)
 * would apply to a `srcdoc` frame too and strip an email's styling, so the preview draws in this
 * page instead, whose policy allows what emails use (inline styles, images) and no script but its
 * own. The console frames it with `sandbox="allow-scripts"` (an opaque origin: nothing in it can
 * reach the console, its cookies or its API) and posts it the rendered HTML once, on load.
 */
const SCRIPT = `addEventListener('message',function(e){if(e.source!==parent||typeof e.data!=='string')return;document.open();document.write(e.data);document.close();},{once:true});`;
const HASH = createHash('sha256').update(SCRIPT).digest('base64');

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': [
    "default-src 'none'",
    `script-src 'sha256-${HASH}'`,
    "style-src 'unsafe-inline'",
    'img-src https: http: data:',
    'font-src https: data:',
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Email preview</title><script>${SCRIPT}</script></head><body></body></html>`;

export function emailPreviewFrameRoute(): Hono {
  const routes = new Hono();
  routes.get('/console-frames/email-preview', (c) => c.body(PAGE, 200, HEADERS));
  return routes;
}
