import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { collect, type FieldErrors } from '../messages/field-errors.js';
import type { Store } from '../store/store.js';
import type { TemplateContext } from './render-template.js';

const previewShape = z.object({
  personId: z.string().min(1).max(200).optional(),
  event: z.strictObject({ name: z.string().min(1).max(200), properties: z.record(z.string(), z.unknown()).optional() }).nullable().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * What a preview renders with: the chosen contact (their traits, email, user id and first
 * company), or a contact with nothing known when none is chosen, so every variable shows as a
 * warning; plus the event and data the caller gives. An unknown contact is a 404.
 */
export async function previewContext(store: Store, projectId: string, body: Record<string, unknown>): Promise<TemplateContext> {
  const fields: FieldErrors = {};
  const parsed = collect(previewShape, { personId: body.personId, event: body.event, data: body.data }, '', fields);
  if (!parsed) throw new ApiError(400, 'invalid_fields', 'The preview has problems; see fields.', fields);
  const event = parsed.event ? { name: parsed.event.name, properties: parsed.event.properties ?? {} } : null;
  const data = parsed.data ?? {};
  if (!parsed.personId) return { person: { id: '', traits: {}, email: null, userId: null }, company: null, event, data };
  const person = await store.getPerson(projectId, parsed.personId);
  if (!person) throw new ApiError(404, 'not_found', 'No contact has this id.');
  const first = person.companies[0];
  return {
    person: { id: person.id, traits: person.traits, email: person.email, userId: person.userId },
    company: first ? { traits: { ...first.traits, ...(first.name !== null && first.traits.name === undefined ? { name: first.name } : {}) } } : null,
    event,
    data,
  };
}
