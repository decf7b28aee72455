import { valueText } from '../components/value-text.js';

/** One row of the trait editor: the key and the value as typed. Objects and arrays are edited as JSON. */
export interface TraitRow {
  key: string;
  text: string;
}

export const rowsFromTraits = (traits: Record<string, unknown>): TraitRow[] => Object.entries(traits).map(([key, value]) => ({ key, text: valueText(value) }));

/**
 * What the typed text means, in the type the trait had: a number stays a number when the text
 * is one, a boolean when it says true or false, an object or array when it is valid JSON of
 * that kind; anything else is a string. A new trait is a string unless it reads as a number.
 */
export function parseTraitText(text: string, previous: unknown): unknown {
  const trimmed = text.trim();
  const number = trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : undefined;
  if (typeof previous === 'number' && number !== undefined) return number;
  if (typeof previous === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  if (previous !== null && typeof previous === 'object') {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed !== null && typeof parsed === 'object') return parsed;
    } catch {
      // Not JSON any more: keep what was typed, as text.
    }
  }
  if (previous === undefined && number !== undefined) return number;
  return text;
}

/**
 * The `traits` of `PATCH /api/v1/people/:id`: changed and new traits with their values, removed
 * ones as null; unchanged ones left out. Rows with an empty key are ignored.
 */
export function traitsPatch(before: Record<string, unknown>, rows: TraitRow[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const kept = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) continue;
    kept.add(key);
    const value = parseTraitText(row.text, before[key]);
    if (JSON.stringify(value) !== JSON.stringify(before[key])) patch[key] = value;
  }
  for (const key of Object.keys(before)) if (!kept.has(key)) patch[key] = null;
  return patch;
}
