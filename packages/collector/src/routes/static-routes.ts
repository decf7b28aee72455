import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { ApiError } from '../http/api-error.js';
import { consoleRoutes } from './console-routes.js';

export interface StaticOptions {
  /** Folder holding the built App (`hark.js`). */
  sdkDir?: string;
  /** Folder holding the demo site. `{{WRITE_KEY}}` in its HTML is replaced with the project's key. */
  demoDir?: string;
  writeKey?: string;
  /** Folder holding the built console (packages/console/dist), served at /console. */
  consoleDir?: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves the App bundle and the demo site. Files are read per request: both are small and change during development. */
export function staticRoutes(options: StaticOptions): Hono {
  const routes = new Hono();

  routes.get('/hark.js', (c) => serveFile(options.sdkDir, 'hark.js', 'public, max-age=300, stale-while-revalidate=86400', c.req.header('accept-encoding')));
  routes.get('/hark-ui.js', (c) => serveFile(options.sdkDir, 'hark-ui.js', 'public, max-age=300, stale-while-revalidate=86400', c.req.header('accept-encoding')));
  routes.get('/', () => serveDemo(options, 'index.html'));
  routes.get('/demo/:file', (c) => serveDemo(options, c.req.param('file')));
  routes.route('/', consoleRoutes({ consoleDir: options.consoleDir }));
  return routes;
}

async function serveFile(dir: string | undefined, file: string, cacheControl: string, acceptEncoding?: string): Promise<Response> {
  if (!dir) throw new ApiError(404, 'not_found', 'This collector was started without the App bundle.');
  const body = await readFile(join(dir, file)).catch(() => null);
  if (!body) throw new ApiError(404, 'not_found', `${file} is not built yet; run "npm run build".`);
  const headers = { 'content-type': contentType(file), 'cache-control': cacheControl, 'access-control-allow-origin': '*', vary: 'Accept-Encoding' };
  const encoding = acceptEncoding && /\bbr\b/.test(acceptEncoding) ? 'br' : acceptEncoding && /\bgzip\b/.test(acceptEncoding) ? 'gzip' : null;
  if (!encoding) return new Response(body, { headers });
  return new Response(compressedCopy(file, body)[encoding], { headers: { ...headers, 'content-encoding': encoding } });
}

/**
 * The App's bundles compressed, as every visitor downloads them from here by default: 3.4 KB
 * instead of 7 KB for hark.js, 10 KB instead of 28 KB for hark-ui.js. Made once per version of
 * each file (the file is still read per request, so a rebuild shows at once).
 */
const compressed = new Map<string, { raw: Buffer; gzip: Uint8Array<ArrayBuffer>; br: Uint8Array<ArrayBuffer> }>();

function compressedCopy(file: string, raw: Buffer): { gzip: Uint8Array<ArrayBuffer>; br: Uint8Array<ArrayBuffer> } {
  const cached = compressed.get(file);
  if (cached && cached.raw.equals(raw)) return cached;
  const copy = {
    raw,
    gzip: new Uint8Array(gzipSync(raw, { level: 9 })),
    br: new Uint8Array(brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } })),
  };
  compressed.set(file, copy);
  return copy;
}

async function serveDemo(options: StaticOptions, file: string): Promise<Response> {
  const safe = normalize(file);
  if (!options.demoDir || safe.includes('..') || safe.includes('/') || safe.includes('\\')) throw new ApiError(404, 'not_found', 'No such page.');
  const body = await readFile(join(options.demoDir, safe)).catch(() => null);
  if (!body) throw new ApiError(404, 'not_found', 'No such page.');
  const text = safe.endsWith('.html') ? body.toString('utf8').replaceAll('{{WRITE_KEY}}', options.writeKey ?? '') : body;
  return new Response(text, { headers: { 'content-type': contentType(safe), 'cache-control': 'no-cache' } });
}

function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return TYPES[file.slice(dot)] ?? 'application/octet-stream';
}
