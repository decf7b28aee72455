import { z } from 'zod';
import { add, collect, type FieldErrors } from '../messages/field-errors.js';
import type { EmailAttachment } from '../store/email-store.js';

/** What one send may carry (issue 13): total size includes every body and decoded attachment. */
export const EMAIL_LIMITS = {
  maxTotalBytes: 10 * 1024 * 1024,
  maxAttachments: 10,
  maxSubjectLength: 998,
  maxIdempotencyKeyLength: 200,
} as const;

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const schema = z
  .object({
    to: z.string().min(1).max(320),
    from: z.string().min(1).max(320),
    replyTo: z.string().max(320).optional(),
    subject: z.string().max(EMAIL_LIMITS.maxSubjectLength).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    templateId: z.string().min(1).max(200).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    attachments: z.array(z.object({ name: z.string().min(1).max(255), type: z.string().min(1).max(255), content: z.string() }).strict()).optional(),
    idempotencyKey: z.string().min(1).max(EMAIL_LIMITS.maxIdempotencyKeyLength).optional(),
    transactional: z.boolean().optional(),
    /** The chain of events (DESIGN §9): an automation passes its run's root and the step's event. */
    rootId: z.string().min(1).max(200).optional(),
    parentId: z.string().min(1).max(200).optional(),
  })
  .strict();

export type SendRequestBody = z.output<typeof schema>;

/** A request that passed every check: the address fields are plain addresses. */
export interface SendRequest extends Omit<SendRequestBody, 'attachments'> {
  attachments: EmailAttachment[];
}

/** An address as given, or `Name <address>`: the bare address, lower-cased domain kept as typed. */
export function bareAddress(value: string): string | null {
  const angled = /<([^<>]+)>\s*$/.exec(value);
  const address = (angled ? angled[1]! : value).trim();
  return ADDRESS.test(address) ? address : null;
}

/**
 * Checks a send request and reports every problem at once, keyed by field (`400 invalid_fields`):
 * addresses, a body or a template, attachments (count, base64, size) and the 10 MB total.
 */
export function readSendRequest(body: unknown): { ok: true; request: SendRequest } | { ok: false; fields: FieldErrors } {
  const fields: FieldErrors = {};
  const parsed = collect(schema, body, '', fields);
  if (!parsed) return { ok: false, fields };
  if (!bareAddress(parsed.from)) add(fields, 'from', 'must be an email address (or "Name <address>")');
  if (parsed.replyTo !== undefined && !bareAddress(parsed.replyTo)) add(fields, 'replyTo', 'must be an email address');
  if (parsed.templateId === undefined) {
    if (parsed.subject === undefined || parsed.subject.trim() === '') add(fields, 'subject', 'is required without a templateId');
    if (parsed.text === undefined && parsed.html === undefined) add(fields, 'text', 'give text, html or both (or a templateId)');
  } else if (parsed.text !== undefined || parsed.html !== undefined) {
    add(fields, 'templateId', 'give either a templateId (with data) or text/html, not both');
  }
  if (parsed.data !== undefined && parsed.templateId === undefined) add(fields, 'data', 'only goes with a templateId');

  const attachments = parsed.attachments ?? [];
  if (attachments.length > EMAIL_LIMITS.maxAttachments) add(fields, 'attachments', `must have at most ${EMAIL_LIMITS.maxAttachments} items`);
  let total = Buffer.byteLength(parsed.subject ?? '') + Buffer.byteLength(parsed.text ?? '') + Buffer.byteLength(parsed.html ?? '');
  attachments.forEach((attachment, i) => {
    const content = attachment.content.replace(/\s+/g, '');
    if (!BASE64.test(content) || content.length % 4 === 1) add(fields, `attachments.${i}.content`, 'must be base64');
    else total += Buffer.from(content, 'base64').length;
    if (/[\r\n/\\]/.test(attachment.name)) add(fields, `attachments.${i}.name`, 'must be a file name (no line breaks or slashes)');
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(attachment.type)) add(fields, `attachments.${i}.type`, 'must be a MIME type such as application/pdf');
  });
  if (total > EMAIL_LIMITS.maxTotalBytes) add(fields, 'attachments', `the mail is ${total} bytes; at most ${EMAIL_LIMITS.maxTotalBytes} (10 MB) with attachments decoded`);
  if (Object.keys(fields).length) return { ok: false, fields };
  return {
    ok: true,
    request: { ...parsed, attachments: attachments.map((a) => ({ name: a.name, type: a.type, content: a.content.replace(/\s+/g, '') })) },
  };
}
