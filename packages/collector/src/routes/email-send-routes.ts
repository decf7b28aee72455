import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { createEmailContent } from '../email/content-seam.js';
import type { EmailQueue } from '../email/email-queue.js';
import { outboxDetail, outboxSummary, publicSend } from '../email/public-send.js';
import { sendEmail, type EmailRequest } from '../email/send-email.js';
import { bareAddress } from '../email/send-request.js';
import { ApiError } from '../http/api-error.js';
import type { AuthVariables } from '../http/auth.js';
import { publicOrigin } from '../http/public-origin.js';
import { readJsonBody } from '../http/read-body.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';
import { readPageQuery } from './page-query.js';

/** 10 MB of decoded mail is about 13.4 MB of base64, plus JSON around it. */
const MAX_SEND_BODY = 15 * 1024 * 1024;

export interface EmailSendRouteDeps {
  store: Store;
  clock: Clock;
  queue: EmailQueue;
  /** True when mail leaves over SMTP: a From on an unverified domain is refused. */
  requireVerifiedDomain: boolean;
  trustProxy: boolean | number;
  /** HARK_PUBLIC_URL: the origin tracking and unsubscribe links use; else the request's. */
  publicUrl: string | null;
}

const settingsShape = z.strictObject({ sendsPerMinute: z.number().int().min(1).max(100_000), defaultFrom: z.string().max(320).nullable() });

/**
 * The transactional email API (`/emails`), the local outbox (`/outbox`) and the send settings.
 * Mounted behind the secret key or a member's session.
 */
export function emailSendRoutes(deps: EmailSendRouteDeps): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const emails = deps.store.emails;

  routes.post('/emails', async (c) => {
    const body = await readJsonBody(c.req.raw, MAX_SEND_BODY);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_body', 'The body must be a JSON object.');
    const origin = publicOrigin(c, deps.trustProxy);
    const baseUrl = deps.publicUrl ?? `${origin.protocol}://${origin.host}`;
    const { send, created, warnings } = await sendEmail(
      { store: deps.store, clock: deps.clock, queue: deps.queue, content: createEmailContent(deps.store, baseUrl), requireVerifiedDomain: deps.requireVerifiedDomain },
      { ...(body as EmailRequest), projectId: c.get('project').id },
    );
    return c.json({ ...publicSend(send), created, warnings }, 202);
  });

  routes.get('/emails', async (c) => {
    const query = readPageQuery(c.req.query());
    const personId = c.req.query('personId');
    const page = await emails.listSends(c.get('project').id, { ...query, ...(personId ? { personId } : {}) });
    return c.json({ items: page.items.map(publicSend), nextCursor: page.nextCursor });
  });

  routes.get('/emails/:id', async (c) => {
    const send = await emails.getSend(c.get('project').id, c.req.param('id'));
    if (!send) throw new ApiError(404, 'not_found', 'No email send has this id.');
    return c.json(publicSend(send));
  });

  routes.get('/outbox', async (c) => {
    const page = await emails.listOutbox(c.get('project').id, readPageQuery(c.req.query()));
    return c.json({ items: page.items.map(outboxSummary), nextCursor: page.nextCursor });
  });

  routes.get('/outbox/:id', async (c) => {
    const mail = await emails.getOutbox(c.get('project').id, c.req.param('id'));
    if (!mail) throw new ApiError(404, 'not_found', 'No outbox mail has this id.');
    return c.json(outboxDetail(mail));
  });

  routes.get('/email-settings', async (c) => c.json(await emails.settings(c.get('project').id)));

  routes.patch('/email-settings', async (c) => {
    const fields: FieldErrors = {};
    const patch = collect(settingsShape.partial(), await readJsonBody(c.req.raw, 4096), '', fields);
    if (patch?.defaultFrom && !bareAddress(patch.defaultFrom)) fields.defaultFrom = 'must be an email address (or "Name <address>")';
    if (!patch || Object.keys(fields).length) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', fields);
    return c.json(await emails.updateSettings(c.get('project').id, patch));
  });

  return routes;
}
