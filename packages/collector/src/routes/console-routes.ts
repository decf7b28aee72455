import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';

/**
 * The console's pages may run only their own scripts, load only from this collector and never
 * be framed (no clickjacking of a logged-in admin). Referrer-Policy keeps the setup and invite
 * tokens in `?token=` from leaking to any other site.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hark console not built</title></head>
<body><h1>The console was not built</h1><p>Run <code>npm run build</code>, then reload this page.</p></body></html>
`;

/**
 * Serves the console's built files (packages/console/dist) at /console. A path that names no
 * file gets index.html, so the app's own router handles /console/contacts/… on a reload.
 */
export function consoleRoutes(options: { consoleDir?: string | undefined }): Hono {
  const routes = new Hono();
  const serve = async (path: string): Promise<Response> => {
    const dir = options.consoleDir;
    const index = dir ? await readFile(join(dir, 'index.html')).catch(() => null) : null;
    if (!dir || !index) return new Response(NOT_BUILT, { status: 404, headers: { ...CONSOLE_HEADERS, 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' } });
    const file = await fileIn(dir, path);
    if (file) {
      const type = TYPES[extname(file.path)] ?? 'application/octet-stream';
      const cache = type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300';
      return new Response(new Uint8Array(file.body), { headers: { ...CONSOLE_HEADERS, 'content-type': type, 'cache-control': cache } });
    }
    // A missing script or image is a 404, not the app's page in its place.
    if (extname(path)) return new Response('Not found.\n', { status: 404, headers: { ...CONSOLE_HEADERS, 'content-type': TYPES['.txt']! } });
    return new Response(index, { headers: { ...CONSOLE_HEADERS, 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' } });
  };
  routes.get('/console', () => serve(''));
  routes.get('/console/*', (c) => serve(c.req.path.slice('/console/'.length)));
  return routes;
}

/** The file `path` names inside `dir`, never outside it (no `..`, no absolute paths). */
async function fileIn(dir: string, path: string): Promise<{ path: string; body: Buffer } | null> {
  if (!path || path.includes('\0')) return null;
  const full = normalize(join(dir, path));
  if (!full.startsWith(normalize(dir) + sep)) return null;
  const info = await stat(full).catch(() => null);
  if (!info?.isFile()) return null;
  const body = await readFile(full).catch(() => null);
  return body ? { path: full, body } : null;
}
