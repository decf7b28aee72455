import type { FieldErrors } from '../../messages/field-errors.js';

/** What a column holds. `trait:<key>` stores the value as that trait; `ignore` drops the column. */
export type ColumnTarget = 'email' | 'name' | 'firstName' | 'lastName' | 'userId' | 'phone' | 'company' | 'ignore' | `trait:${string}`;

/** A mapping sent with an import: header (as in the file) → target. Headers left out map by name. */
export type ColumnMapping = Record<string, ColumnTarget>;

export interface ResolvedColumn {
  index: number;
  header: string;
  target: ColumnTarget;
}

const FIELDS = ['email', 'name', 'firstName', 'lastName', 'userId', 'phone', 'company'] as const;

/** Header spellings recognised without a mapping, compared lower-cased without spaces, `_`, `-` or `.`. */
const BY_HEADER: Record<string, ColumnTarget> = {
  email: 'email', emailaddress: 'email', mail: 'email', courriel: 'email',
  name: 'name', fullname: 'name', contactname: 'name', displayname: 'name',
  firstname: 'firstName', first: 'firstName', givenname: 'firstName', forename: 'firstName', prenom: 'firstName',
  lastname: 'lastName', last: 'lastName', surname: 'lastName', familyname: 'lastName',
  userid: 'userId', user: 'userId', externalid: 'userId',
  phone: 'phone', phonenumber: 'phone', mobile: 'phone', tel: 'phone', telephone: 'phone',
  company: 'company', companyname: 'company', organization: 'company', organisation: 'company', org: 'company',
};

const squash = (header: string): string => header.toLowerCase().replace(/[\s_.-]+/g, '');
const MAX_TRAIT_KEY = 200;

/** Checks a mapping sent by a client; problems keyed `mapping.<header>`. */
export function checkMapping(value: unknown, fields: FieldErrors): ColumnMapping | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    fields.mapping = 'must be an object of header → email, name, firstName, lastName, userId, phone, company, ignore or trait:<key>';
    return undefined;
  }
  const mapping: ColumnMapping = {};
  for (const [header, target] of Object.entries(value as Record<string, unknown>)) {
    const ok =
      typeof target === 'string' &&
      ((FIELDS as readonly string[]).includes(target) || target === 'ignore' || (/^trait:./.test(target) && target.length <= MAX_TRAIT_KEY + 6));
    if (ok) mapping[header] = target as ColumnTarget;
    else fields[`mapping.${header}`] = `must be one of ${FIELDS.join(', ')}, ignore or trait:<key>`;
  }
  return mapping;
}

/**
 * Decides what each column holds: the mapping first, then the header's name; any other column
 * becomes a trait named by its header. A field claimed twice keeps its first column. Answers an
 * error sentence when the file cannot give every row a name and an email.
 */
export function resolveColumns(headers: string[], mapping: ColumnMapping = {}): { columns: ResolvedColumn[] } | { error: string } {
  const unknown = Object.keys(mapping).filter((header) => !headers.includes(header));
  if (unknown.length) return { error: `The mapping names columns the file does not have: ${unknown.map((h) => `"${h}"`).join(', ')}.` };
  const taken = new Set<string>();
  const columns: ResolvedColumn[] = headers.map((raw, index) => {
    const header = raw.trim();
    let target: ColumnTarget = mapping[raw] ?? BY_HEADER[squash(header)] ?? (header ? `trait:${header.slice(0, MAX_TRAIT_KEY)}` : 'ignore');
    if (!target.startsWith('trait:') && target !== 'ignore') {
      if (taken.has(target)) target = 'ignore';
      taken.add(target);
    }
    return { index, header, target };
  });
  const has = (target: string) => taken.has(target);
  if (!has('email')) return { error: 'No column holds the email: name one "email", or send a mapping ({ "<header>": "email" }).' };
  if (!has('name') && !has('firstName') && !has('lastName')) {
    return { error: 'No column holds the name: name one "name" (or "first name" and "last name"), or send a mapping.' };
  }
  return { columns };
}
