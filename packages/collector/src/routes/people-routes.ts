import { Hono } from 'hono';
import { systemClock, type Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { checkJsonTree } from '../ingest/json-tree.js';
import type { Store } from '../store/store.js';
import type { PeopleQuery, PersonKind, PersonLookup } from '../store/types.js';
import { readPageQuery } from './page-query.js';

const KINDS: readonly PersonKind[] = ['visitor', 'lead', 'user'];

/** Contacts and their timelines. Mounted behind the admin guard (secret key or a member's session). */
export function peopleRoutes(deps: { store: Store; clock?: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();

  routes.get('/people', async (c) => {
    const query: PeopleQuery = readPageQuery(c.req.query());
    const kind = c.req.query('kind');
    if (kind !== undefined) {
      if (!KINDS.includes(kind as PersonKind)) throw new ApiError(400, 'invalid_query', `kind must be one of ${KINDS.join(', ')}.`);
      query.kind = kind as PersonKind;
    }
    const search = c.req.query('q');
    if (search) query.search = search.slice(0, 256);
    const traitFilters = Object.entries(c.req.query()).filter(([key]) => key.startsWith('trait.'));
    if (traitFilters.length > 1) throw new ApiError(400, 'invalid_query', 'Filter on one trait at a time (trait.<key>=<value>).');
    if (traitFilters[0]) query.trait = { key: traitFilters[0][0].slice('trait.'.length), value: traitFilters[0][1] };
    return c.json(await deps.store.listPeople(c.get('project').id, query));
  });

  routes.get('/people/lookup', async (c) => {
    const given = (['userId', 'anonymousId', 'email'] as const).filter((key) => c.req.query(key));
    if (given.length !== 1) throw new ApiError(400, 'invalid_query', 'Look up by exactly one of userId, anonymousId or email.');
    const key = given[0]!;
    const value = key === 'email' ? c.req.query(key)!.trim().toLowerCase() : c.req.query(key)!;
    const person = await deps.store.lookupPerson(c.get('project').id, { [key]: value } as PersonLookup);
    if (!person) throw new ApiError(404, 'not_found', `No person has ${key} "${value}".`);
    return c.json(person);
  });

  routes.get('/people/:id', async (c) => {
    const projectId = c.get('project').id;
    const person = await deps.store.getPerson(projectId, c.req.param('id'));
    if (!person) throw new ApiError(404, 'not_found', 'No person has this id.');
    return c.json({ ...person, segments: await deps.store.segments.forPerson(projectId, person.id) });
  });

  // The console edits traits: each key given is set or replaced, a null removes it.
  routes.patch('/people/:id', async (c) => {
    const body = await readJsonBody(c.req.raw, 64 * 1024);
    const traits = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).traits : undefined;
    const extra = body !== null && typeof body === 'object' ? Object.keys(body).filter((key) => key !== 'traits') : [];
    if (extra.length) throw new ApiError(400, 'invalid_fields', 'Only traits can be changed here.', Object.fromEntries(extra.map((key) => [key, 'is not a known field'])));
    if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) {
      throw new ApiError(400, 'invalid_fields', 'Send { "traits": { … } }.', { traits: 'must be an object' });
    }
    const checked = checkJsonTree(traits, 'traits');
    if (!checked.ok) throw new ApiError(400, 'invalid_fields', checked.message, { traits: checked.message });
    const person = await deps.store.patchPersonTraits(c.get('project').id, c.req.param('id'), checked.value, (deps.clock ?? systemClock).now());
    if (!person) throw new ApiError(404, 'not_found', 'No person has this id.');
    return c.json(person);
  });

  routes.get('/people/:id/activity', async (c) => {
    const projectId = c.get('project').id;
    const person = await deps.store.getPerson(projectId, c.req.param('id'));
    if (!person) throw new ApiError(404, 'not_found', 'No person has this id.');
    return c.json(await deps.store.listActivity(projectId, person.id, readPageQuery(c.req.query())));
  });

  routes.get('/companies/:id', async (c) => {
    const company = await deps.store.getCompany(c.get('project').id, c.req.param('id'));
    if (!company) throw new ApiError(404, 'not_found', 'No company has this id.');
    return c.json(company);
  });

  return routes;
}
