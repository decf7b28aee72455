import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { normalizeEmail, validEmail } from '../identity/email.js';
import { checkJsonTree } from '../ingest/json-tree.js';
import { add, collect, type FieldErrors } from '../messages/field-errors.js';
import type { AddPersonOutcome } from '../store/company-store.js';
import type { PersonRef } from '../store/list-store.js';
import type { Store } from '../store/store.js';
import { readPageQuery } from './page-query.js';

const MAX_BODY = 256 * 1024;
const traits = z.record(z.string(), z.unknown());
const createBody = z.strictObject({
  id: z.string().trim().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  traits: traits.optional(),
});
const patchBody = z.strictObject({ name: z.string().trim().min(1).max(200).nullable().optional(), traits: traits.optional() });
const personBody = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  userId: z.string().min(1).max(256).optional(),
  email: z.string().min(1).max(320).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  phone: z.string().trim().min(1).max(64).optional(),
  traits: traits.optional(),
});

/** Parses a body against `schema` and checks `traits` against the event caps; every problem at once. */
function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const fields: FieldErrors = {};
  const parsed = collect(schema, body, '', fields) as { traits?: Record<string, unknown> } | undefined;
  if (parsed?.traits) {
    const checked = checkJsonTree(parsed.traits, 'traits');
    if (checked.ok) parsed.traits = checked.value;
    else add(fields, 'traits', checked.message);
  }
  if (parsed === undefined || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', `${what}; see fields.`, fields);
  return parsed as z.output<T>;
}

/** `{ id }`, `{ userId }` or `{ email }` name an existing person; `{ email, name, … }` finds or creates a lead. */
function personToAdd(body: z.output<typeof personBody>): PersonRef | { contact: { email: string; name: string; userId: string | null; phone: string | null; traits: Record<string, unknown> } } {
  const given = (['id', 'userId', 'email'] as const).filter((key) => body[key] !== undefined);
  const fields: FieldErrors = {};
  if (body.name !== undefined || body.phone !== undefined || body.traits !== undefined) {
    // A new contact needs a name and a valid email, as every imported row does (DESIGN §8).
    if (body.id !== undefined) add(fields, 'id', 'cannot be given with name, phone or traits; send { email, name } to add or create a contact');
    if (body.name === undefined) add(fields, 'name', 'is required to create a contact');
    const email = validEmail(body.email);
    if (!email) add(fields, 'email', body.email === undefined ? 'is required to create a contact' : 'is not a valid email');
    if (Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'Nobody was added; see fields.', fields);
    return { contact: { email: email!, name: body.name!, userId: body.userId ?? null, phone: body.phone ?? null, traits: body.traits ?? {} } };
  }
  if (given.length !== 1) {
    throw new ApiError(400, 'invalid_fields', 'Nobody was added; see fields.', { '(body)': 'must be one of { id }, { userId }, { email }, or { email, name } to create a contact' });
  }
  if (body.id !== undefined) return { id: body.id };
  if (body.userId !== undefined) return { userId: body.userId };
  return { email: normalizeEmail(body.email!) };
}

function answerAdd(outcome: AddPersonOutcome): { status: 200 | 201; body: unknown } {
  switch (outcome.status) {
    case 'no_company':
      throw new ApiError(404, 'not_found', 'No company has this id.');
    case 'no_person':
      throw new ApiError(404, 'person_not_found', 'No person has this id, user id or email; send { email, name } to create a lead.');
    case 'rejected':
      throw new ApiError(409, 'contact_refused', `The contact was not added: ${outcome.reason}.`);
    default:
      return { status: outcome.status === 'added' ? 201 : 200, body: { person: outcome.person, created: outcome.created, added: outcome.status === 'added' } };
  }
}

/** Companies (DESIGN §8): the same rows `group` calls write. Mounted behind the secret key. */
export function companyRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const companies = deps.store.companies;

  routes.get('/companies', async (c) => {
    const search = c.req.query('q');
    const query = { ...readPageQuery(c.req.query()), ...(search ? { search: search.slice(0, 256) } : {}) };
    return c.json(await companies.list(c.get('project').id, query));
  });

  routes.post('/companies', async (c) => {
    const body = parse(createBody, await readJsonBody(c.req.raw, MAX_BODY), 'The company was not created');
    const id = body.id ?? randomUUID();
    const company = await companies.create(c.get('project').id, id, { ...body.traits, ...(body.name ? { name: body.name } : {}) }, deps.clock.now());
    if (!company) throw new ApiError(409, 'exists', `A company with id "${id}" exists; PATCH it instead.`);
    return c.json(company, 201);
  });

  routes.patch('/companies/:id', async (c) => {
    const body = parse(patchBody, await readJsonBody(c.req.raw, MAX_BODY), 'The company was not changed');
    const patch: Record<string, unknown> = { ...body.traits, ...(body.name !== undefined ? { name: body.name } : {}) };
    const company = await companies.update(c.get('project').id, c.req.param('id'), patch, deps.clock.now());
    if (!company) throw new ApiError(404, 'not_found', 'No company has this id.');
    return c.json(company);
  });

  routes.delete('/companies/:id', async (c) => {
    if (!(await companies.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No company has this id.');
    return c.body(null, 204);
  });

  routes.post('/companies/:id/people', async (c) => {
    const who = personToAdd(parse(personBody, await readJsonBody(c.req.raw, MAX_BODY), 'Nobody was added'));
    const answer = answerAdd(await companies.addPerson(c.get('project').id, c.req.param('id'), who, deps.clock.now()));
    return c.json(answer.body, answer.status);
  });

  routes.delete('/companies/:id/people/:personId', async (c) => {
    const projectId = c.get('project').id;
    if (!(await companies.get(projectId, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No company has this id.');
    if (!(await companies.removePerson(projectId, c.req.param('id'), c.req.param('personId')))) {
      throw new ApiError(404, 'not_member', 'This person is not in this company.');
    }
    return c.body(null, 204);
  });

  return routes;
}
