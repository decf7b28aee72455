import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { readRulesBody } from '../audiences/rules-input.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import type { Store } from '../store/store.js';

const MAX_BODY = 64 * 1024;

/**
 * Suppression rules: anyone who fulfils one gets no message. Beside the suppression list
 * (`/suppressions`, by user id or email). Mounted behind the secret key.
 */
export function suppressionRuleRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const rules = deps.store.suppressionRules;
  const missing = () => new ApiError(404, 'not_found', 'No suppression rule has this id.');

  routes.get('/suppression-rules', async (c) => c.json({ items: await rules.list(c.get('project').id) }));

  routes.post('/suppression-rules', async (c) => {
    const input = readRulesBody(await readJsonBody(c.req.raw, MAX_BODY), { partial: false, enabled: true });
    const created = await rules.create(c.get('project').id, { name: input.name!, rules: input.rules!, ...(input.enabled !== undefined ? { enabled: input.enabled } : {}) }, deps.clock.now());
    return c.json(created, 201);
  });

  routes.get('/suppression-rules/:id', async (c) => {
    const rule = await rules.get(c.get('project').id, c.req.param('id'));
    if (!rule) throw missing();
    return c.json(rule);
  });

  routes.patch('/suppression-rules/:id', async (c) => {
    const projectId = c.get('project').id;
    if (!(await rules.get(projectId, c.req.param('id')))) throw missing();
    const patch = readRulesBody(await readJsonBody(c.req.raw, MAX_BODY), { partial: true, enabled: true });
    const updated = await rules.update(projectId, c.req.param('id'), patch, deps.clock.now());
    if (!updated) throw missing();
    return c.json(updated);
  });

  routes.delete('/suppression-rules/:id', async (c) => {
    if (!(await rules.remove(c.get('project').id, c.req.param('id')))) throw missing();
    return c.body(null, 204);
  });

  return routes;
}
