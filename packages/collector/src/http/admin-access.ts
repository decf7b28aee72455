import type { Action } from '../team/index.js';

const ANY_WRITE = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Writes that need more than the default (manager), or less. Paths are relative to /api/v1 and
 * matched by prefix, so a route added later under /team or /project/keys is covered at once.
 */
const WRITES: readonly [pattern: RegExp, methods: readonly string[], action: Action][] = [
  [/^\/team(\/|$)/, ANY_WRITE, 'team.manage'],
  [/^\/project\/keys(\/|$)/, ANY_WRITE, 'keys.rotate'],
  [/^\/project(\/|$)/, ANY_WRITE, 'settings.write'],
  // A webhook sends contacts' data to another system: admins only.
  [/^\/webhooks(\/|$)/, ANY_WRITE, 'settings.write'],
  // Inbound webhook sources make tokens that write events, like a key: admins only.
  [/^\/hook-sources(\/|$)/, ANY_WRITE, 'settings.write'],
  [/^\/people\/[^/]+\/?$/, ['PATCH'], 'people.traits'],
  // Rendering a template for a contact writes nothing: anyone who may read contacts may preview.
  [/^\/email-templates\/([^/]+\/)?preview\/?$/, ['POST'], 'read'],
];

/**
 * What an admin API request asks to do, for the role check. Every read is `read`; one's own
 * session and account are `self`; a write not listed is `content.write` (managers and admins),
 * which is what "managers do everything but team, keys and settings" means for routes to come.
 */
export function actionFor(method: string, path: string): Action {
  if (/^\/(session|me)(\/|$)/.test(path)) return 'self';
  if (method === 'GET' || method === 'HEAD') return 'read';
  for (const [pattern, methods, action] of WRITES) if (methods.includes(method) && pattern.test(path)) return action;
  return 'content.write';
}
