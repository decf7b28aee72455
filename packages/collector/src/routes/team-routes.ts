import { Hono } from 'hono';
import type { AuthVariables } from '../http/auth.js';
import type { TeamRole } from '../store/team-store.js';
import { inviteBody, roleBody, type Membership } from '../team/index.js';
import { readValid } from './read-valid.js';

/**
 * The team's members and invites. Behind `requireAdmin`: anyone on the team reads, only admins
 * (or the secret key) change (`http/admin-access.ts`).
 */
export function teamRoutes(deps: { membership: Membership }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const { membership } = deps;

  routes.get('/team/members', async (c) => c.json({ data: await membership.listMembers(c.get('project').id) }));

  routes.patch('/team/members/:id', async (c) => {
    const { role } = await readValid(c.req.raw, roleBody);
    return c.json(await membership.setRole(c.get('project').id, c.req.param('id'), role as TeamRole));
  });

  routes.delete('/team/members/:id', async (c) => {
    await membership.removeMember(c.get('project').id, c.req.param('id'));
    return c.body(null, 204);
  });

  routes.get('/team/invites', async (c) => c.json({ data: await membership.listInvites(c.get('project').id) }));

  routes.post('/team/invites', async (c) => {
    const body = await readValid(c.req.raw, inviteBody);
    const caller = c.get('caller');
    const invitedBy = caller.kind === 'member' ? caller.member.id : null;
    return c.json(await membership.invite(c.get('project').id, { email: body.email, role: body.role as TeamRole }, invitedBy, new URL(c.req.url).origin), 201);
  });

  routes.delete('/team/invites/:id', async (c) => {
    await membership.revokeInvite(c.get('project').id, c.req.param('id'));
    return c.body(null, 204);
  });

  return routes;
}
