import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { normalizeEmail } from '../identity/email.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { List, PersonRef } from '../store/list-store.js';
import type { Store } from '../store/store.js';
import { readPageQuery } from './page-query.js';

const MAX_BODY = 256 * 1024;
const name = z.string().trim().min(1).max(200);
const listBody = z.strictObject({ name });

/** Up to 1,000 people per call, each named by exactly one of id, email or userId. */
const peopleBody = z.strictObject({
  people: z
    .array(
      z.union(
        [
          z.strictObject({ id: z.string().min(1).max(200) }),
          z.strictObject({ email: z.string().min(1).max(320).transform(normalizeEmail) }),
          z.strictObject({ userId: z.string().min(1).max(256) }),
        ],
        { error: 'must be { id }, { email } or { userId }' },
      ),
    )
    .min(1)
    .max(1000),
});

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const fields: FieldErrors = {};
  const parsed = collect(schema, body, '', fields);
  if (parsed === undefined || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', `${what}; see fields.`, fields);
  return parsed;
}

/** Static lists (DESIGN §8): CRUD and membership. Mounted behind the secret key. */
export function listRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const lists = deps.store.lists;

  const load = async (projectId: string, id: string): Promise<List> => {
    const list = await lists.get(projectId, id);
    if (!list) throw new ApiError(404, 'not_found', 'No list has this id.');
    return list;
  };

  routes.post('/lists', async (c) => {
    const body = parse(listBody, await readJsonBody(c.req.raw, MAX_BODY), 'The list was not created');
    return c.json(await lists.create(c.get('project').id, body.name, deps.clock.now()), 201);
  });

  routes.get('/lists', async (c) => c.json(await lists.list(c.get('project').id, readPageQuery(c.req.query()))));

  routes.get('/lists/:id', async (c) => c.json(await load(c.get('project').id, c.req.param('id'))));

  routes.patch('/lists/:id', async (c) => {
    const body = parse(listBody, await readJsonBody(c.req.raw, MAX_BODY), 'The list was not changed');
    const list = await lists.rename(c.get('project').id, c.req.param('id'), body.name, deps.clock.now());
    if (!list) throw new ApiError(404, 'not_found', 'No list has this id.');
    return c.json(list);
  });

  routes.delete('/lists/:id', async (c) => {
    if (!(await lists.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No list has this id.');
    return c.body(null, 204);
  });

  routes.get('/lists/:id/people', async (c) => {
    const projectId = c.get('project').id;
    const list = await load(projectId, c.req.param('id'));
    return c.json(await lists.people(projectId, list.id, readPageQuery(c.req.query())));
  });

  const membership = (action: 'add' | 'remove') => async (c: Context<{ Variables: AuthVariables }>) => {
    const projectId = c.get('project').id;
    const list = await load(projectId, c.req.param('id') ?? '');
    const body = parse(peopleBody, await readJsonBody(c.req.raw, MAX_BODY), 'Nobody was added or removed');
    const refs = body.people as PersonRef[];
    const { personIds, missing } = await lists.resolvePeople(projectId, refs);
    const now = deps.clock.now();
    const changed = action === 'add' ? await lists.addPeopleToList(projectId, list.id, personIds, now) : await lists.removePeopleFromList(projectId, list.id, personIds, now);
    return c.json({
      [action === 'add' ? 'added' : 'removed']: changed,
      unchanged: personIds.length - changed,
      notFound: missing.map((i) => refs[i]),
    });
  };
  routes.post('/lists/:id/people', membership('add'));
  routes.delete('/lists/:id/people', membership('remove'));

  return routes;
}
