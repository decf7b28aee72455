import { Hono } from 'hono';
import { ApiError } from '../http/api-error.js';
import { checkOrigin } from '../http/auth.js';
import { publicOrigin } from '../http/public-origin.js';
import { publicCors } from '../http/public-cors.js';
import { segmentSettings } from '../ingest/segment-settings.js';
import type { Store } from '../store/store.js';

/**
 * `GET /v1/projects/:writeKey/settings`: the document analytics-next asks its CDN for
 * (ingest/segment-settings.ts), so `cdnURL` can name the collector. Public like ingest and
 * eligibility: any origin (or the project's allowed origins), no credentials. Only a write key
 * finds a project here; anything else, the secret key included, is a 404.
 */
export function segmentSettingsRoutes(deps: { store: Store; trustProxy: boolean | number }): Hono {
  const routes = new Hono();
  routes.use('/projects/*', publicCors({ allowMethods: ['GET', 'OPTIONS'], allowHeaders: [], maxAge: 86400 }));

  routes.get('/projects/:writeKey/settings', async (c) => {
    const writeKey = c.req.param('writeKey');
    const project = await deps.store.findProjectByWriteKey(writeKey);
    if (!project) throw new ApiError(404, 'not_found', 'No project has this write key.');
    checkOrigin(project, c.req.header('origin'));
    // Like a CDN's copy: a page load need not ask again for a few minutes. It changes only when
    // the collector's address does.
    c.header('Cache-Control', 'public, max-age=300');
    if (project.settings.allowedOrigins.length > 0) c.header('Vary', 'Origin');
    return c.json(segmentSettings(writeKey, publicOrigin(c, deps.trustProxy)));
  });

  return routes;
}
