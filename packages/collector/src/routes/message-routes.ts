import type { Message, MessageResults, MessageStatus } from '@hark/protocol';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import { normalizeEmail, validEmail } from '../identity/email.js';
import { add, collect, type FieldErrors } from '../messages/field-errors.js';
import { isObject, MESSAGE_STATUSES, mergePatch, toDefinition, validateMessage } from '../messages/message-schema.js';
import type { TimeRange } from '../store/message-store.js';
import type { Store } from '../store/store.js';
import { parseInstant } from '../time.js';
import { readPageQuery } from './page-query.js';

const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Authoring in-app messages, their results and the suppression list (DESIGN §5). Mounted behind
 * the secret key: a write key can ask for its messages but never change them.
 */
export function messageRoutes(deps: { store: Store; clock: Clock }): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const messages = deps.store.messages;

  const load = async (projectId: string, id: string): Promise<Message> => {
    const message = await messages.get(projectId, id);
    if (!message) throw new ApiError(404, 'not_found', 'No message has this id.');
    return message;
  };

  routes.post('/messages', async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_MESSAGE_BYTES);
    const record = valid(body);
    return c.json(await messages.create(c.get('project').id, record, deps.clock.now()), 201);
  });

  routes.get('/messages', async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !MESSAGE_STATUSES.includes(status as MessageStatus)) {
      throw new ApiError(400, 'invalid_query', `status must be one of ${MESSAGE_STATUSES.join(', ')}.`);
    }
    const query = { ...readPageQuery(c.req.query()), ...(status ? { status: status as MessageStatus } : {}) };
    return c.json(await messages.list(c.get('project').id, query));
  });

  routes.get('/messages/:id', async (c) => c.json(await load(c.get('project').id, c.req.param('id'))));

  routes.patch('/messages/:id', async (c) => {
    const projectId = c.get('project').id;
    const current = await load(projectId, c.req.param('id'));
    const patch = await readJsonBody(c.req.raw, MAX_MESSAGE_BYTES);
    if (!isObject(patch)) throw new ApiError(400, 'invalid_fields', 'A PATCH body is a JSON object (merge patch) of the fields to change.');
    const base = toDefinition(current);
    // A new kind keeps only the text every kind shares; the old kind's fields would not fit it.
    if (typeof patch.kind === 'string' && patch.kind !== current.kind) base.content = { title: current.content.title, body: current.content.body };
    const record = valid(mergePatch(base, patch));
    const updated = await messages.replace(projectId, current.id, record, deps.clock.now());
    if (!updated) throw new ApiError(404, 'not_found', 'No message has this id.');
    return c.json(updated);
  });

  routes.delete('/messages/:id', async (c) => {
    if (!(await messages.remove(c.get('project').id, c.req.param('id')))) throw new ApiError(404, 'not_found', 'No message has this id.');
    return c.body(null, 204);
  });

  routes.get('/messages/:id/results', async (c) => {
    const projectId = c.get('project').id;
    const message = await load(projectId, c.req.param('id'));
    const range = readRange(c.req.query());
    const counts = await messages.results(projectId, message.id, range);
    const graded = counts.grades.reduce((sum, n) => sum + n, 0);
    const results: MessageResults = {
      messageId: message.id,
      from: range.from === null ? null : new Date(range.from).toISOString(),
      to: range.to === null ? null : new Date(range.to).toISOString(),
      shown: counts.shown,
      clicked: counts.clicked,
      dismissed: counts.dismissed,
      answered: counts.answered,
      answerRate: counts.shown ? round(counts.answered / counts.shown, 4) : 0,
      survey:
        message.kind === 'survey'
          ? {
              distribution: { '1': counts.grades[0], '2': counts.grades[1], '3': counts.grades[2], '4': counts.grades[3], '5': counts.grades[4] },
              mean: graded ? round(counts.grades.reduce((sum, n, i) => sum + n * (i + 1), 0) / graded, 2) : null,
            }
          : null,
      answers: message.kind === 'input' || message.kind === 'survey' ? await messages.answers(projectId, message.id, range, readPageQuery(c.req.query())) : null,
    };
    // docs/MESSAGES.md: an input's answer is its text, as `value` (what Message Answered carries)
    // and as `text`; the store keeps a grade apart from text, so `value` is filled in here.
    if (message.kind === 'input' && results.answers) {
      results.answers.items = results.answers.items.map((answer) => ({ ...answer, value: answer.text }));
    }
    return c.json(results);
  });

  routes.get('/suppressions', async (c) => {
    const type = c.req.query('type');
    if (type !== undefined && type !== 'userId' && type !== 'email') throw new ApiError(400, 'invalid_query', 'type must be userId or email.');
    return c.json(await messages.listSuppressions(c.get('project').id, { ...readPageQuery(c.req.query()), ...(type ? { type } : {}) }));
  });

  routes.post('/suppressions', async (c) => {
    const fields: FieldErrors = {};
    const body = collect(suppressionBody, await readJsonBody(c.req.raw, 256 * 1024), '', fields);
    body?.emails?.forEach((email, i) => {
      if (!validEmail(email)) add(fields, `emails.${i}`, 'must be an email address');
    });
    if (!body || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'The suppression list was not changed; see fields.', fields);
    const entries = [
      ...(body.userIds ?? []).map((value) => ({ type: 'userId' as const, value })),
      ...(body.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ];
    const added = await messages.addSuppressions(c.get('project').id, entries, deps.clock.now());
    return c.json({ added, alreadyPresent: entries.length - added });
  });

  routes.delete('/suppressions', async (c) => {
    const userId = c.req.query('userId');
    const email = c.req.query('email');
    if ((userId === undefined) === (email === undefined)) throw new ApiError(400, 'invalid_query', 'Remove one entry at a time: ?userId=… or ?email=….');
    const entry = userId !== undefined ? { type: 'userId' as const, value: userId } : { type: 'email' as const, value: normalizeEmail(email!) };
    if (!(await messages.removeSuppression(c.get('project').id, entry))) throw new ApiError(404, 'not_found', `${entry.value} is not on the suppression list.`);
    return c.body(null, 204);
  });

  return routes;
}


const suppressionBody = z
  .strictObject({
    userIds: z.array(z.string().trim().min(1).max(256)).max(1000).optional(),
    emails: z.array(z.string().transform(normalizeEmail)).max(1000).optional(),
  })
  .refine((body) => (body.userIds?.length ?? 0) + (body.emails?.length ?? 0) > 0, { error: 'give userIds, emails or both', path: ['userIds'] });

function valid(body: unknown) {
  if (!isObject(body)) throw new ApiError(400, 'invalid_fields', 'The body must be a JSON object describing the message.');
  const result = validateMessage(body);
  if (!result.ok) {
    const count = Object.keys(result.fields).length;
    throw new ApiError(400, 'invalid_fields', `The message has ${count} problem${count === 1 ? '' : 's'}; see fields.`, result.fields);
  }
  return result.message;
}

function readRange(query: Record<string, string>): TimeRange {
  const fields: FieldErrors = {};
  const read = (key: 'from' | 'to'): number | null => {
    const value = query[key];
    if (value === undefined || value === '') return null;
    const ms = parseInstant(value);
    if (ms === null) fields[key] = 'must be an ISO-8601 date, such as 2026-11-01 or 2026-11-01T00:00:00Z';
    return ms;
  };
  const range = { from: read('from'), to: read('to') };
  if (range.from !== null && range.to !== null && range.to <= range.from) fields.to = 'must be after from';
  if (Object.keys(fields).length) throw new ApiError(400, 'invalid_query', 'The time range is not valid; see fields.', fields);
  return range;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
