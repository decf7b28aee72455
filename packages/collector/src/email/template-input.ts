import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { add, collect, type FieldErrors } from '../messages/field-errors.js';
import type { EmailTemplateInput } from '../store/email-template-store.js';
import { templateProblems } from './render-template.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// A subject is one header line (RFC 5322 caps a line at 998 characters); bodies are capped so a
// template stays well under the request limit and renders fast.
const MAX_TEXT = 256 * 1024;
const MAX_HTML = 512 * 1024;

const parts = {
  subject: z.string().trim().min(1).max(998).refine((value) => !/[\r\n]/.test(value), 'must be one line'),
  text: z.string().max(MAX_TEXT).nullable(),
  html: z.string().max(MAX_HTML).nullable(),
};
const templateShape = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['transactional', 'marketing']),
  ...parts,
});
const contentShape = z.strictObject({ subject: parts.subject, text: parts.text.optional(), html: parts.html.optional() });

const blank = (value: string | null | undefined): boolean => value === undefined || value === null || value.trim() === '';

function fail(fields: FieldErrors): never {
  const count = Object.keys(fields).length;
  throw new ApiError(400, 'invalid_fields', `The body has ${count} problem${count === 1 ? '' : 's'}; see fields.`, fields);
}

function checkContent(content: { subject?: string; text?: string | null; html?: string | null }, fields: FieldErrors): void {
  for (const [part, problem] of Object.entries(templateProblems({ subject: content.subject ?? '', text: content.text ?? null, html: content.html ?? null }))) add(fields, part, problem);
}

/**
 * An email template body: `{ name, kind, subject, text, html }` (all of it for a create, any of
 * it for a PATCH, checked against `current`). Needs a text or an HTML part; each part must be
 * valid Liquid. Every problem comes back at once as `400 invalid_fields` keyed by field.
 */
export function readTemplateBody(body: unknown, current: EmailTemplateInput | null): Partial<EmailTemplateInput> {
  if (!isObject(body)) fail({ '(body)': 'must be an object' });
  const fields: FieldErrors = {};
  const schema = current ? templateShape.partial() : templateShape.extend({ text: parts.text.optional(), html: parts.html.optional() });
  const parsed = collect(schema, body, '', fields) as Partial<EmailTemplateInput> | undefined;
  if (parsed) {
    const merged = { ...(current ?? { text: null, html: null }), ...parsed };
    if (blank(merged.text) && blank(merged.html)) add(fields, typeof body.text === "string" && typeof body.html !== "string" ? 'text' : 'html', 'a template needs a text or an HTML part');
    checkContent(parsed, fields);
  }
  if (!parsed || Object.keys(fields).length) fail(fields);
  const out: Partial<EmailTemplateInput> = { ...parsed };
  if (!current) {
    out.text = parsed.text ?? null;
    out.html = parsed.html ?? null;
  }
  return out;
}

/** Subject, text and HTML of a template not saved yet (the preview of the editor's draft). */
export function readTemplateContent(body: unknown, prefix = ''): { subject: string; text: string | null; html: string | null } {
  const fields: FieldErrors = {};
  const parsed = collect(contentShape, body, prefix, fields);
  if (parsed) {
    for (const [part, problem] of Object.entries(templateProblems(parsed))) add(fields, prefix ? `${prefix}.${part}` : part, problem);
  }
  if (!parsed || Object.keys(fields).length) fail(fields);
  return { subject: parsed.subject, text: parsed.text ?? null, html: parsed.html ?? null };
}
