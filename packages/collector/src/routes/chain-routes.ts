import { Hono } from 'hono';
import { buildChainTree, CHAIN_NODE_LIMIT } from '../chain/chain-tree.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import type { Store } from '../store/store.js';

/** `GET /events/:messageId/chain`: the tree under the event's root (DESIGN §9), capped at CHAIN_NODE_LIMIT events. */
export function chainRoutes(deps: { store: Store }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  routes.get('/events/:messageId/chain', async (c) => {
    const messageId = c.req.param('messageId');
    const found = await deps.store.chains.chainOf(c.get('project').id, messageId, CHAIN_NODE_LIMIT);
    if (!found) throw new ApiError(404, 'not_found', `No event with messageId ${messageId}.`);
    return c.json({ messageId, ...buildChainTree(found.rootId, found.events, found.truncated) });
  });
  return routes;
}
