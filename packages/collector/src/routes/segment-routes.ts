import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { readRulesBody } from '../audiences/rules-input.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import type { Segment } from '../store/segment-store.js';
import type { Store } from '../store/store.js';
import { readPageQuery } from './page-query.js';

/** Bodies hold a rule tree: 64 KB is far more than the 200 rules a tree may have. */
const MAX_BODY = 64 * 1024;

/** Segments (DESIGN §8): named rule trees with kept membership. Mounted behind the secret key. */
export function segmentRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const segments = deps.store.segments;

  const load = async (projectId: string, id: string): Promise<Segment> => {
    const segment = await segments.get(projectId, id);
    if (!segment) throw new ApiError(404, 'not_found', 'No segment has this id.');
    return segment;
  };

  routes.post('/segments/preview', async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_BODY);
    const { rules } = readRulesBody({ name: 'preview', ...(isObject(body) ? body : {}) }, { partial: false });
    return c.json(await segments.preview(c.get('project').id, rules!, deps.clock.now()));
  });

  routes.post('/segments', async (c) => {
    const input = readRulesBody(await readJsonBody(c.req.raw, MAX_BODY), { partial: false });
    return c.json(await segments.create(c.get('project').id, { name: input.name!, rules: input.rules! }, deps.clock.now()), 201);
  });

  routes.get('/segments', async (c) => c.json(await segments.list(c.get('project').id, readPageQuery(c.req.query()))));

  routes.get('/segments/:id', async (c) => c.json(await load(c.get('project').id, c.req.param('id'))));

  routes.patch('/segments/:id', async (c) => {
    const projectId = c.get('project').id;
    await load(projectId, c.req.param('id'));
    const patch = readRulesBody(await readJsonBody(c.req.raw, MAX_BODY), { partial: true });
    const segment = await segments.update(projectId, c.req.param('id'), patch, deps.clock.now());
    if (!segment) throw new ApiError(404, 'not_found', 'No segment has this id.');
    return c.json(segment);
  });

  routes.delete('/segments/:id', async (c) => {
    if (!(await segments.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No segment has this id.');
    return c.body(null, 204);
  });

  routes.get('/segments/:id/people', async (c) => {
    const projectId = c.get('project').id;
    const segment = await load(projectId, c.req.param('id'));
    return c.json(await segments.people(projectId, segment.id, readPageQuery(c.req.query())));
  });

  routes.get('/segments/:id/count', async (c) => {
    const projectId = c.get('project').id;
    const segment = await load(projectId, c.req.param('id'));
    return c.json({ count: await segments.count(projectId, segment.id), status: segment.status, progress: segment.progress });
  });

  return routes;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
