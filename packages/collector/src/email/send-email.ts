import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import type { EmailSend } from '../store/email-store.js';
import type { Store } from '../store/store.js';
import type { EmailContent } from './content-seam.js';
import type { EmailQueue } from './email-queue.js';
import { domainOf, messageIdFor } from './message-id.js';
import { bareAddress, readSendRequest, type SendRequestBody } from './send-request.js';

export interface SendEmailDeps {
  store: Store;
  clock: Clock;
  queue: EmailQueue;
  content: EmailContent;
  /** True when mail really leaves (SMTP): a From on a domain that is not verified is refused. */
  requireVerifiedDomain: boolean;
}

/** What a send request asks for; the API and automations both call `sendEmail` with it. */
export type EmailRequest = SendRequestBody & { projectId: string };

/**
 * Accepts one email: checks it, finds the recipient, renders the template, stores the send
 * (`queued`) and enqueues its job. The same idempotency key twice answers the first send.
 * Nothing is sent here; the job does that (deliver-send.ts), so a crash between the two loses
 * nothing: the row and the job are both durable before this resolves.
 *
 * @example
 * const { send } = await sendEmail(deps, { projectId, to: 'ada@example.com', from: 'hi@acme.test', subject: 'Hi', text: 'Hello' });
 */
export async function sendEmail(deps: SendEmailDeps, body: EmailRequest): Promise<{ send: EmailSend; created: boolean; warnings: string[] }> {
  const { projectId, ...rest } = body;
  const read = readSendRequest(rest);
  if (!read.ok) throw new ApiError(400, 'invalid_fields', 'Some fields are not valid; see fields.', read.fields);
  const request = read.request;
  const { store, clock } = deps;
  if (request.idempotencyKey) {
    const page = await findByKey(store, projectId, request.idempotencyKey);
    if (page) return { send: page, created: false, warnings: [] };
  }

  const recipient = await resolveRecipient(store, projectId, request.to);
  const fromAddress = bareAddress(request.from)!;
  const domain = await store.emails.domainByName(projectId, domainOf(fromAddress));
  if (deps.requireVerifiedDomain && !domain?.verified) {
    throw new ApiError(
      422,
      'from_domain_unverified',
      domain ? `The domain ${domain.domain} is not verified yet: publish its DNS records, then POST /api/v1/domains/${domain.id}/verify.` : `No sending domain ${domainOf(fromAddress)}: add it under /api/v1/domains and verify it first.`,
      { from: 'is on a domain that is not verified' },
    );
  }

  let { subject = '', text = null, html = null } = request as { subject?: string; text?: string | null; html?: string | null };
  let templateTransactional: boolean | undefined;
  let warnings: string[] = [];
  if (request.templateId) {
    const rendered = await deps.content.render(projectId, request.templateId, { personId: recipient.personId, data: request.data ?? {} });
    if (!rendered) throw new ApiError(422, 'template_not_found', 'No email template has this id.', { templateId: 'is not a template of this project' });
    ({ subject, text, html, warnings } = rendered);
    templateTransactional = rendered.transactional;
  }

  const id = randomUUID();
  let links: string[] = [];
  // The request decides; else a template's kind (marketing templates carry unsubscribe); else transactional.
  const transactional = request.transactional ?? templateTransactional ?? true;
  if (html !== null) ({ html, links } = await deps.content.track(projectId, html, id));
  const headers = transactional ? {} : await deps.content.unsubscribeHeaders(projectId, recipient.personId, id);
  const now = clock.now();
  const result = await store.emails.createSend({
    id,
    projectId,
    idempotencyKey: request.idempotencyKey ?? null,
    personId: recipient.personId,
    to: recipient.email,
    from: request.from,
    replyTo: request.replyTo ?? null,
    subject,
    text,
    html,
    attachments: request.attachments,
    headers,
    transactional,
    templateId: request.templateId ?? null,
    messageId: messageIdFor(id, fromAddress),
    rootId: request.rootId ?? null,
    parentId: request.parentId ?? null,
    links,
    createdAt: now,
  });
  // Enqueued after the row: a crash in between leaves a queued send with no job, which
  // requeueOpenSends (at start) finds. Enqueueing twice is one job (the key is the send id).
  if (result.created) await deps.queue.enqueue(projectId, id, now, id);
  return { ...result, warnings };
}

async function findByKey(store: Store, projectId: string, key: string): Promise<EmailSend | null> {
  return store.emails.sendByIdempotencyKey(projectId, key);
}

/** `to` is an email address, a person id or a user id (tried in that order of shape). */
async function resolveRecipient(store: Store, projectId: string, to: string): Promise<{ personId: string | null; email: string }> {
  const address = bareAddress(to);
  if (address) {
    const person = await store.lookupPerson(projectId, { email: address.toLowerCase() });
    return { personId: person?.id ?? null, email: address };
  }
  const person = (await store.getPerson(projectId, to)) ?? (await store.lookupPerson(projectId, { userId: to }));
  if (!person) throw new ApiError(422, 'recipient_not_found', 'No contact has this person id or user id, and it is not an email address.', { to: 'is not an email address, person id or user id of this project' });
  if (!person.email) throw new ApiError(422, 'recipient_has_no_email', 'This contact has no email address.', { to: 'names a contact with no email address' });
  return { personId: person.id, email: person.email };
}
