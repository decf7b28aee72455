import { Hono, type Context } from 'hono';
import { memberCaller, type AuthVariables } from '../http/auth.js';
import { clientAddress } from '../http/client-address.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { clearSessionCookie, setSessionCookie } from '../http/session-cookie.js';
import { acceptBody, describeProject, loginBody, meBody, setupBody, toMember, type Membership, type NewSession, type SignIn } from '../team/index.js';
import { readValid } from './read-valid.js';

export interface SessionRouteDeps {
  signIn: SignIn;
  membership: Membership;
  /** Password guesses per client address and per email; login, setup and invites take from them. */
  limits: { perAddress: RateLimiter; perEmail: RateLimiter };
  trustProxy: boolean | number;
}

/**
 * Becoming a member and logging in: no session needed. Mounted before the admin guard, so these
 * answer without credentials; everything else under /api/v1 goes through `requireAdmin`.
 */
export function publicSessionRoutes(deps: SessionRouteDeps): Hono {
  const routes = new Hono();
  const address = (c: Context) => deps.limits.perAddress.take(clientAddress(c, deps.trustProxy), 'address');
  const loggedIn = (c: Context, session: NewSession) => {
    setSessionCookie(c, session.token, deps.trustProxy);
    c.header('cache-control', 'no-store');
    return c.json(session.view);
  };

  routes.get('/setup', async (c) => c.json({ needed: await deps.signIn.setupNeeded() }));

  routes.post('/setup', async (c) => {
    address(c);
    return loggedIn(c, await deps.signIn.setup(await readValid(c.req.raw, setupBody)));
  });

  routes.post('/session', async (c) => {
    address(c);
    const body = await readValid(c.req.raw, loginBody);
    deps.limits.perEmail.take(body.email, 'email');
    return loggedIn(c, await deps.signIn.login(body));
  });

  routes.get('/invites/:token', async (c) => {
    address(c);
    return c.json(await deps.signIn.describeInvite(c.req.param('token')));
  });

  routes.post('/invites/:token/accept', async (c) => {
    address(c);
    return loggedIn(c, await deps.signIn.acceptInvite(c.req.param('token'), await readValid(c.req.raw, acceptBody)));
  });

  return routes;
}

/** One's own session and account. Behind `requireAdmin`, for a member (the secret key has no session). */
export function sessionRoutes(deps: SessionRouteDeps): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();

  routes.get('/session', (c) => {
    const { member, session } = memberCaller(c);
    c.header('cache-control', 'no-store');
    return c.json({ member: toMember(member), project: describeProject(c.get('project')), csrfToken: session.csrfToken });
  });

  routes.delete('/session', async (c) => {
    await deps.signIn.logout(memberCaller(c).session);
    clearSessionCookie(c, deps.trustProxy);
    return c.body(null, 204);
  });

  routes.post('/session/logout-everywhere', async (c) => {
    const ended = await deps.signIn.logoutEverywhere(memberCaller(c).session);
    clearSessionCookie(c, deps.trustProxy);
    return c.json(ended);
  });

  routes.get('/me', (c) => c.json(toMember(memberCaller(c).member)));

  routes.patch('/me', async (c) => {
    const { member, session } = memberCaller(c);
    const patch = await readValid(c.req.raw, meBody);
    // A current password is a password guess like a login.
    if (patch.currentPassword !== undefined) deps.limits.perAddress.take(clientAddress(c, deps.trustProxy), 'address');
    return c.json(await deps.membership.updateMe(member, session.tokenHash, patch));
  });

  return routes;
}
