import { expect } from 'vitest';
import { createSignIn } from '../src/team/index.js';
import type { TestCollector } from './harness.js';

/** Helpers for the team tests: a browser's cookie jar of one, and members made through the API. */

export interface Login {
  /** The `Cookie` header a browser would send. */
  cookie: string;
  csrf: string;
  body: { member: { id: string; email: string; role: string }; project: Record<string, unknown>; csrfToken: string };
}

export const PASSWORD = 'correct horse battery';

/** The session cookie from an answer's Set-Cookie, as a `Cookie` header. */
export function sessionCookie(res: Response): string {
  const header = res.headers.getSetCookie().find((value) => value.startsWith('hark_session='));
  expect(header, 'a hark_session cookie').toBeDefined();
  return header!.split(';')[0]!;
}

export async function loggedIn(res: Response): Promise<Login> {
  const body = (await res.json()) as Login['body'];
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { cookie: sessionCookie(res), csrf: body.csrfToken, body };
}

export const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A request as the console makes it: the cookie always, the CSRF token on writes. */
export async function asMember(hark: TestCollector, login: Login, path: string, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { cookie: login.cookie, ...(init.headers as Record<string, string>) };
  if (method !== 'GET' && method !== 'HEAD' && !('x-csrf-token' in headers)) headers['x-csrf-token'] = login.csrf;
  return hark.app.request(path, { ...init, method, headers });
}

/** The first admin, through the one-time setup link as `npm start` would print it. */
export async function setupAdmin(hark: TestCollector, email = 'ada@team.test'): Promise<Login> {
  const token = await createSignIn({ store: hark.store, clock: hark.clock }).prepareSetup(hark.project.id);
  expect(token).toBeTruthy();
  return loggedIn(await hark.app.request('/api/v1/setup', json('POST', { token, email, name: 'Ada', password: PASSWORD })));
}

/** A member with `role`, invited by `admin` and logged in by accepting. */
export async function invited(hark: TestCollector, admin: Login, email: string, role: 'admin' | 'manager' | 'agent'): Promise<Login> {
  const res = await asMember(hark, admin, '/api/v1/team/invites', json('POST', { email, role }));
  const invite = (await res.json()) as { token: string };
  expect(res.status, JSON.stringify(invite)).toBe(201);
  return loggedIn(await hark.app.request(`/api/v1/invites/${invite.token}/accept`, json('POST', { name: email.split('@')[0], password: PASSWORD })));
}

export const login = (hark: TestCollector, email: string, password: string, headers: Record<string, string> = {}) =>
  hark.app.request('/api/v1/session', json('POST', { email, password }, headers));
