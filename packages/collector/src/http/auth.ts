import type { Context, MiddlewareHandler } from 'hono';
import type { Store } from '../store/store.js';
import type { MemberRecord, SessionRecord } from '../store/team-store.js';
import type { Project } from '../store/types.js';
import { canDo, roleNeeded, sameSecret, type Action, type SignIn } from '../team/index.js';
import { actionFor } from './admin-access.js';
import { ApiError } from './api-error.js';
import { sessionToken } from './session-cookie.js';

/** Who is calling the admin API: a server with the secret key (full rights), or a logged-in member. */
export type Caller = { kind: 'secret_key' } | { kind: 'member'; member: MemberRecord; session: SessionRecord };

export type AuthVariables = { project: Project; caller: Caller };

/** A key as the request carried it, and where: a key in the URL ends up in access logs. */
export interface SentKey {
  key: string;
  from: 'header' | 'query' | 'body';
}

/**
 * The key from HTTP Basic (Segment libraries send it as the user name) or from the `writeKey`
 * query parameter. A key in the body is read by the ingest route, which parses it.
 */
export function keyFromRequest(c: Context): SentKey | null {
  const header = c.req.header('authorization');
  if (header?.toLowerCase().startsWith('basic ')) {
    try {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const user = decoded.split(':')[0];
      if (user) return { key: user, from: 'header' };
    } catch {
      // Fall through to the other places a key may be.
    }
  }
  const query = c.req.query('writeKey');
  return query ? { key: query, from: 'query' } : null;
}

export const writeKeyFromRequest = (c: Context): string | null => keyFromRequest(c)?.key ?? null;

const SECRET_KEY_LEAKED = 'Rotate it now (POST /api/v1/project/keys/rotate { "key": "secret" }).';

export async function projectForWriteKey(store: Store, writeKey: string | null): Promise<Project> {
  if (!writeKey) throw new ApiError(401, 'missing_write_key', 'Send the write key as HTTP Basic user, or as writeKey in the body or query.');
  const project = await store.findProjectByWriteKey(writeKey);
  if (project) return project;
  if (await store.findProjectBySecretKey(writeKey)) {
    throw new ApiError(403, 'secret_key_not_accepted', `This is the secret key; this public route takes the write key only. ${SECRET_KEY_LEAKED}`);
  }
  throw new ApiError(401, 'invalid_write_key', 'The write key is not one this collector knows.');
}

/**
 * Who may send these events. The write key is the usual sender; a server may send with the
 * secret key instead, and its identifies count as verified. The secret key is taken only from
 * the Authorization header (HTTP Basic, as Segment's server libraries send it): in `?writeKey=`
 * it would be written to every access log on the way, so it is refused there (and in the body,
 * to keep one rule). A secret key from a browser page (the request has an Origin header) is
 * refused too: it has leaked.
 */
export async function senderForKey(store: Store, sent: SentKey | null, origin: string | undefined): Promise<{ project: Project; trusted: boolean }> {
  if (!sent) throw new ApiError(401, 'missing_write_key', 'Send the write key as HTTP Basic user, or as writeKey in the body or query.');
  const project = await store.findProjectByWriteKey(sent.key);
  if (project) {
    checkOrigin(project, origin);
    return { project, trusted: false };
  }
  const trustedProject = await store.findProjectBySecretKey(sent.key);
  if (trustedProject) {
    if (origin) throw new ApiError(403, 'browser_origin', `A browser sent the secret key; it belongs on servers only. ${SECRET_KEY_LEAKED}`);
    if (sent.from !== 'header') {
      const where = sent.from === 'query' ? 'in the URL (?writeKey=), where access logs keep it' : 'in the body';
      throw new ApiError(403, 'secret_key_not_in_header', `The secret key was sent ${where}; ingest takes it only as the HTTP Basic user (Authorization header). ${sent.from === 'query' ? SECRET_KEY_LEAKED : ''}`.trim());
    }
    return { project: trustedProject, trusted: true };
  }
  throw new ApiError(401, 'invalid_write_key', 'The write key is not one this collector knows.');
}

/** With allowed origins set, browser calls from anywhere else are refused. Servers send no Origin. */
export function checkOrigin(project: Project, origin: string | undefined): void {
  const allowed = project.settings.allowedOrigins;
  if (origin && allowed.length > 0 && !allowed.includes(origin)) {
    throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not in this project's allowed origins.`);
  }
}

/**
 * Admin API guard: `Authorization: Bearer <secret key>`. Refuses any request that comes from a
 * browser page (it carries an Origin header): a secret key in a page is a leaked secret key.
 */
export function requireSecretKey(store: Store): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    c.set('project', await projectForSecretKey(store, c));
    c.set('caller', { kind: 'secret_key' });
    await next();
  };
}

async function projectForSecretKey(store: Store, c: Context): Promise<Project> {
  if (c.req.header('origin')) {
    throw new ApiError(403, 'browser_origin', 'The admin API is for servers; a browser must never hold the secret key.');
  }
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new ApiError(401, 'missing_secret_key', 'Send the secret key as "Authorization: Bearer <secret key>".');
  const project = await store.findProjectBySecretKey(match[1]!.trim());
  if (!project) throw new ApiError(401, 'invalid_secret_key', 'The secret key is not valid for any project.');
  return project;
}

const READS = new Set(['GET', 'HEAD']);

/**
 * Admin API guard for servers and the console alike. With an Authorization header, the secret
 * key as `requireSecretKey` checks it (full rights, no CSRF: no browser sends it). Otherwise the
 * `hark_session` cookie: the session must be live, every write must carry its CSRF token in
 * `X-CSRF-Token` (the cookie alone proves nothing about which page sent the request), and the
 * member's role must allow what the route does (`admin-access.ts`, `team/roles.ts`).
 */
export function requireAdmin(deps: { store: Store; signIn: SignIn; prefix: string }): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    if (c.req.header('authorization') !== undefined) {
      c.set('project', await projectForSecretKey(deps.store, c));
      c.set('caller', { kind: 'secret_key' });
      return next();
    }
    const token = sessionToken(c);
    if (!token) {
      throw new ApiError(401, 'missing_credentials', 'Log in to the console, or send the secret key as "Authorization: Bearer <secret key>".');
    }
    const caller = await deps.signIn.authenticate(token);
    if (!caller) throw new ApiError(401, 'session_ended', 'Your session has ended; log in again.');
    if (!READS.has(c.req.method)) {
      const sent = c.req.header('x-csrf-token');
      if (!sent || !sameSecret(sent, caller.session.csrfToken)) {
        throw new ApiError(403, 'csrf', 'This change needs the X-CSRF-Token header of your session (GET /api/v1/session answers it).');
      }
    }
    const path = c.req.path.startsWith(deps.prefix) ? c.req.path.slice(deps.prefix.length) : c.req.path;
    refuseUnless(caller.member, actionFor(c.req.method, path));
    c.set('project', caller.project);
    c.set('caller', { kind: 'member', member: caller.member, session: caller.session });
    return next();
  };
}

function refuseUnless(member: MemberRecord, action: Action): void {
  if (canDo(member.role, action)) return;
  const needed = roleNeeded(action);
  throw new ApiError(403, 'forbidden', `This needs the ${needed} role${needed === 'admin' ? '' : ' or higher'}; you are ${/^[aeiou]/.test(member.role) ? 'an' : 'a'} ${member.role}.`);
}

/** May this caller do `action`? The secret key may do everything. */
export function callerCan(caller: Caller, action: Action): boolean {
  return caller.kind === 'secret_key' || canDo(caller.member.role, action);
}

/** The member behind the session, for routes about one's own account; the secret key has none. */
export function memberCaller(c: Context<{ Variables: AuthVariables }>): { member: MemberRecord; session: SessionRecord } {
  const caller = c.get('caller');
  if (caller.kind !== 'member') throw new ApiError(403, 'session_required', 'This route is about a logged-in member; the secret key has none.');
  return caller;
}
