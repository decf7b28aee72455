import { randomBytes, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { publicOrigin } from '../http/public-origin.js';
import { readJsonBody } from '../http/read-body.js';
import { hashHookToken, hookWireEvents } from '../hooks/hook-events.js';
import { mapPayload, validateMapping, type HookMapping } from '../hooks/hook-mapping.js';
import { add, type FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';

const MAX_BODY = 128 * 1024;
const newHookToken = (): string => `hk_h_${randomBytes(24).toString('base64url')}`;

function readSource(body: unknown, partial: boolean): { name?: string; mapping?: HookMapping } {
  const fields: FieldErrors = {};
  const raw = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (key !== 'name' && key !== 'mapping') add(fields, key, 'is not a known field');
  const out: { name?: string; mapping?: HookMapping } = {};
  if (raw.name !== undefined || !partial) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 200) add(fields, 'name', 'must be 1 to 200 characters');
    else out.name = raw.name.trim();
  }
  if (raw.mapping !== undefined || !partial) {
    const mapping = validateMapping(raw.mapping, fields);
    if (mapping) out.mapping = mapping;
  }
  if (Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
  return out;
}

/**
 * Inbound webhook sources (`/hook-sources`), behind the secret key or an admin's session
 * (http/admin-access.ts). A source's token is answered once, on creation, with the URL to paste
 * into the form tool; afterwards only its first characters.
 */
export function hookSourceRoutes(deps: { store: Store; clock: Clock; trustProxy: boolean | number }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const sources = deps.store.hookSources;

  routes.get('/hook-sources', async (c) => c.json({ items: await sources.list(c.get('project').id) }));

  routes.post('/hook-sources', async (c) => {
    const { name, mapping } = readSource(await readJsonBody(c.req.raw, MAX_BODY), false);
    const token = newHookToken();
    const source = await sources.create(c.get('project').id, { id: randomUUID(), name: name!, mapping: mapping!, tokenHash: hashHookToken(token), tokenPrefix: token.slice(0, 10) }, deps.clock.now());
    const origin = publicOrigin(c, deps.trustProxy);
    return c.json({ ...source, token, url: `${origin.protocol}://${origin.host}/hooks/${token}` }, 201);
  });

  // The console's "try it" box: what a sample payload would become, stored nowhere.
  routes.post('/hook-sources/try', async (c) => {
    const body = (await readJsonBody(c.req.raw, MAX_BODY)) as Record<string, unknown> | null;
    const fields: FieldErrors = {};
    const mapping = validateMapping(body?.mapping, fields);
    if (!mapping || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
    const result = mapPayload(mapping, body?.payload);
    if (!result.ok) return c.json({ ok: false, error: { code: result.code, message: result.message, paths: result.paths } });
    const { events } = hookWireEvents({ id: 'preview', name: 'preview' }, result.mapped, result.mapped.userId || result.mapped.anonymousId ? null : '(the contact with this email)', deps.clock.now());
    return c.json({ ok: true, mapped: result.mapped, events });
  });

  routes.get('/hook-sources/:id', async (c) => {
    const source = await sources.get(c.get('project').id, c.req.param('id'));
    if (!source) throw new ApiError(404, 'not_found', 'No such inbound webhook source.');
    return c.json(source);
  });

  routes.patch('/hook-sources/:id', async (c) => {
    const patch = readSource(await readJsonBody(c.req.raw, MAX_BODY), true);
    const source = await sources.update(c.get('project').id, c.req.param('id'), patch, deps.clock.now());
    if (!source) throw new ApiError(404, 'not_found', 'No such inbound webhook source.');
    return c.json(source);
  });

  routes.delete('/hook-sources/:id', async (c) => {
    if (!(await sources.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No such inbound webhook source.');
    return c.body(null, 204);
  });

  return routes;
}
