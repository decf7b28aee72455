/** A trait or property value as plain text (objects as JSON). Rendered as text, never as HTML. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A person's name for lists: name, else email, else user id, else "Anonymous visitor". */
export function personLabel(person: { name: string | null; email: string | null; userId: string | null }): string {
  return person.name || person.email || person.userId || 'Anonymous visitor';
}
