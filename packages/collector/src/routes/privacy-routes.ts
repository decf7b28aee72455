import { Hono } from 'hono';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import type { Store } from '../store/store.js';
import type { IdentityType } from '../store/types.js';
import { readPageQuery } from './page-query.js';
import { streamPersonExport } from './person-export.js';

const IDENTITY_TYPES: readonly IdentityType[] = ['anonymous', 'user', 'email'];

/** Privacy requests: export everything about a person, erase them, lift an erasure. Secret key only. */
export function privacyRoutes(deps: { store: Store }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();

  routes.get('/people/:id/export', async (c) => {
    const data = await deps.store.exportPerson(c.get('project').id, c.req.param('id'));
    if (!data) throw new ApiError(404, 'not_found', 'No person has this id.');
    return new Response(streamPersonExport(deps.store, c.get('project').id, data), {
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="hark-person-${data.person.id}.json"` },
    });
  });

  routes.delete('/people/:id', async (c) => {
    const report = await deps.store.erasePerson(c.get('project').id, c.req.param('id'));
    if (!report) throw new ApiError(404, 'not_found', 'No person has this id.');
    return c.json(report);
  });

  routes.get('/erasures', async (c) => c.json(await deps.store.listErasedIdentities(c.get('project').id, readPageQuery(c.req.query()))));

  routes.delete('/erasures/:type/:value', async (c) => {
    const type = c.req.param('type') as IdentityType;
    if (!IDENTITY_TYPES.includes(type)) throw new ApiError(400, 'invalid_type', `type must be one of ${IDENTITY_TYPES.join(', ')}.`);
    const lifted = await deps.store.liftErasure(c.get('project').id, type, c.req.param('value'));
    if (!lifted) throw new ApiError(404, 'not_found', 'This identifier is not erased.');
    return c.json({ lifted: true });
  });

  return routes;
}
