/**
 * `{{trait}}` variables in message text: `Hi {{name|there}}` reads the person's `name` trait
 * and falls back to `there` when they have none. Paths may be dotted (`{{company.name}}`).
 * The result is plain text; the App never renders it as HTML.
 */

const VARIABLE = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g;
const PATH = /^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/;

/** What a template may read about the person it is filled for. */
export interface TemplatePerson {
  traits: Record<string, unknown>;
  email: string | null;
  userId: string | null;
}

/** Why a template cannot be used, or null when it is fine. */
export function templateProblem(text: string): string | null {
  for (const match of text.matchAll(VARIABLE)) {
    if (!PATH.test(match[1] ?? '')) return `"${match[0]}" is not a valid variable; use {{trait}} or {{trait|fallback}}`;
  }
  const rest = text.replace(VARIABLE, '');
  if (rest.includes('{{') || rest.includes('}}')) return 'has a {{ without its }} (or the other way round)';
  return null;
}

/** Reads a dotted path from the traits; `email` and `userId` fall back to the person's own. */
export function readTrait(person: TemplatePerson | null, path: string): unknown {
  if (!person) return undefined;
  let value: unknown = person.traits;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      value = undefined;
      break;
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) {
    if (path === 'email') return person.email ?? undefined;
    if (path === 'userId') return person.userId ?? undefined;
  }
  return value;
}

/**
 * Fills every variable. Values that are not text, numbers or booleans (objects, arrays) use the
 * fallback, as missing ones do. `encode` is applied to filled values only (e.g. for URLs), so a
 * trait can never change the parts of the text the author wrote.
 */
export function fillTemplate(text: string, person: TemplatePerson | null, encode: (value: string) => string = (v) => v): string {
  if (!text.includes('{{')) return text;
  return text.replace(VARIABLE, (_whole, path: string, fallback: string | undefined) => {
    const value = readTrait(person, path);
    const usable = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
    return usable !== '' ? encode(usable) : encode((fallback ?? '').trim());
  });
}
