import { validEmail } from '../../identity/email.js';
import { checkJsonTree } from '../../ingest/json-tree.js';
import type { ContactInput } from '../../store/contact-store.js';
import type { ResolvedColumn } from './column-mapping.js';

export type RowResult = { ok: true; contact: ContactInput } | { ok: false; reason: string };

/**
 * One CSV row as a contact. Every row needs a name and a valid email (DESIGN §8: the anti-spam
 * rule list tools hold to); empty cells are left out, values are trimmed text.
 */
export function rowToContact(fields: string[], columns: ResolvedColumn[]): RowResult {
  if (fields.length > columns.length && fields.slice(columns.length).some((value) => value.trim() !== '')) {
    return { ok: false, reason: `the row has ${fields.length} fields; the header has ${columns.length}` };
  }
  const value: Partial<Record<string, string>> = {};
  const traits: Record<string, unknown> = {};
  for (const column of columns) {
    const cell = fields[column.index]?.trim() ?? '';
    if (cell === '' || column.target === 'ignore') continue;
    if (column.target.startsWith('trait:')) traits[column.target.slice('trait:'.length)] = cell;
    else value[column.target] = cell;
  }
  const name = value.name ?? [value.firstName, value.lastName].filter(Boolean).join(' ');
  const rawEmail = value.email;
  if (!name && !rawEmail) return { ok: false, reason: 'missing name and email' };
  if (!rawEmail) return { ok: false, reason: 'missing email' };
  const email = validEmail(rawEmail);
  if (!email) return { ok: false, reason: `invalid email "${rawEmail.slice(0, 100)}"` };
  if (!name) return { ok: false, reason: 'missing name' };
  if (name.length > 200) return { ok: false, reason: 'the name is longer than 200 characters' };
  const checked = checkJsonTree(traits, 'traits');
  if (!checked.ok) return { ok: false, reason: checked.message };
  return {
    ok: true,
    contact: {
      email,
      name,
      userId: value.userId ?? null,
      phone: value.phone ?? null,
      company: value.company ?? null,
      traits: checked.value,
    },
  };
}
