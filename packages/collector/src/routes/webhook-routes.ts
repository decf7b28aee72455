import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { readJsonBody } from '../http/read-body.js';
import type { JobStatus } from '../jobs/job-types.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';
import type { Webhook } from '../store/webhook-store.js';
import { queueWebhookDelivery } from '../webhooks/queue-webhook-delivery.js';
import { newWebhookSecret } from '../webhooks/webhook-signature.js';
import type { WebhookSubscriptions } from '../webhooks/webhook-subscriptions.js';
import { checkTarget, RefusedTarget, urlProblem, type ResolveHost } from '../webhooks/webhook-target.js';
import { readPageQuery } from './page-query.js';

const MAX_BODY = 64 * 1024;
const MAX_WEBHOOKS = 50;
const STATUSES: readonly JobStatus[] = ['pending', 'running', 'done', 'failed', 'cancelled'];

const url = z.string().trim().min(1).max(2_000);
// No event names: a webhook only automations' webhook steps call (they name it by id).
const events = z.array(z.string().trim().min(1).max(200)).max(100);
const createBody = z.strictObject({ url, events, enabled: z.boolean().optional() });
const patchBody = z.strictObject({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional() });

export interface WebhookRouteDeps {
  store: Store;
  clock: Clock;
  subscriptions: WebhookSubscriptions;
  allowPrivate: boolean;
  resolve?: ResolveHost;
}

/**
 * Outbound webhooks (DESIGN §9): subscriptions to event names, a signing secret shown once (at
 * creation and on rotation), the delivery log, and a test send. Mounted behind the admin guard;
 * writes need the settings role (http/admin-access.ts).
 */
export function webhookRoutes(deps: WebhookRouteDeps): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const webhooks = deps.store.webhooks;

  /** Every problem at once; the URL's host is resolved now too (and again at each delivery). */
  const validate = async <T extends z.ZodType>(schema: T, body: unknown, what: string): Promise<z.output<T>> => {
    const fields: FieldErrors = {};
    const parsed = collect(schema, body, '', fields) as { url?: string } | undefined;
    if (parsed?.url !== undefined) {
      const problem = urlProblem(parsed.url);
      if (problem) fields.url = problem;
      else {
        try {
          await checkTarget(parsed.url, { allowPrivate: deps.allowPrivate, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
        } catch (error) {
          fields.url = error instanceof RefusedTarget ? error.message : `could not be resolved (${error instanceof Error ? error.message : String(error)})`;
        }
      }
    }
    if (parsed === undefined || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', `${what}; see fields.`, fields);
    return parsed as z.output<T>;
  };

  const load = async (projectId: string, id: string): Promise<Webhook> => {
    const webhook = await webhooks.get(projectId, id);
    if (!webhook) throw new ApiError(404, 'not_found', 'No webhook has this id.');
    return webhook;
  };

  routes.post('/webhooks', async (c) => {
    const projectId = c.get('project').id;
    const body = await validate(createBody, await readJsonBody(c.req.raw, MAX_BODY), 'The webhook was not created');
    if ((await webhooks.list(projectId)).length >= MAX_WEBHOOKS) throw new ApiError(409, 'too_many_webhooks', `A project has at most ${MAX_WEBHOOKS} webhooks.`);
    const created = await webhooks.create(projectId, { id: `wh_${randomBytes(12).toString('hex')}`, url: body.url, events: [...new Set(body.events)], secret: newWebhookSecret(), enabled: body.enabled ?? true }, deps.clock.now());
    deps.subscriptions.invalidate(projectId);
    return c.json(created, 201);
  });

  routes.get('/webhooks', async (c) => c.json({ items: await webhooks.list(c.get('project').id) }));

  routes.get('/webhooks/:id', async (c) => c.json(await load(c.get('project').id, c.req.param('id'))));

  routes.patch('/webhooks/:id', async (c) => {
    const projectId = c.get('project').id;
    await load(projectId, c.req.param('id'));
    const body = await validate(patchBody, await readJsonBody(c.req.raw, MAX_BODY), 'The webhook was not changed');
    const updated = await webhooks.update(projectId, c.req.param('id'), { ...body, ...(body.events ? { events: [...new Set(body.events)] } : {}) }, deps.clock.now());
    deps.subscriptions.invalidate(projectId);
    return c.json(updated);
  });

  routes.delete('/webhooks/:id', async (c) => {
    const projectId = c.get('project').id;
    if (!(await webhooks.delete(projectId, c.req.param('id'), deps.clock.now()))) throw new ApiError(404, 'not_found', 'No webhook has this id.');
    deps.subscriptions.invalidate(projectId);
    return c.body(null, 204);
  });

  routes.post('/webhooks/:id/secret/rotate', async (c) => {
    const projectId = c.get('project').id;
    const rotated = await webhooks.setSecret(projectId, c.req.param('id'), newWebhookSecret(), deps.clock.now());
    if (!rotated) throw new ApiError(404, 'not_found', 'No webhook has this id.');
    return c.json(rotated);
  });

  routes.get('/webhooks/:id/deliveries', async (c) => {
    const projectId = c.get('project').id;
    await load(projectId, c.req.param('id'));
    const status = c.req.query('status');
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw new ApiError(400, 'invalid_query', `status must be one of ${STATUSES.join(', ')}.`);
    }
    return c.json(await webhooks.deliveries(projectId, c.req.param('id'), { ...readPageQuery(c.req.query()), ...(status ? { status: status as JobStatus } : {}) }));
  });

  routes.post('/webhooks/:id/test', async (c) => {
    const projectId = c.get('project').id;
    const webhook = await load(projectId, c.req.param('id'));
    const now = deps.clock.now();
    const deliveryId = `test_${randomBytes(12).toString('hex')}`;
    await queueWebhookDelivery(deps.store.jobs, {
      projectId,
      webhookId: webhook.id,
      deliveryId,
      type: 'webhook.test',
      payload: { message: 'A test delivery from Hark: if the signature verifies, this webhook is set up.', webhookId: webhook.id },
      now,
    });
    return c.json({ deliveryId, status: 'pending' }, 202);
  });

  return routes;
}
