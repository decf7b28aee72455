import type { ValueCondition } from './message-types.js';

/**
 * How a trait or an event property is compared with a condition (see `ValueCondition`), written
 * once for both sides: the collector evaluates audiences and event triggers with it, and the
 * message UI checks a trigger's `where` in the page with the same rules. Pure: no DOM, no Node.
 */

/** A finite number, or a string that spells one; anything else is not a number. */
export function asNumber(value: unknown): number | null {
  if (typeof value == 'number') return Number.isFinite(value) ? value : null;
  if (typeof value == 'string' && value.trim() != '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** Equal, or the same number once a decimal string is read as one (`"3"` equals `3`). */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof actual == 'number' || typeof expected == 'number') {
    const a = asNumber(actual);
    return a !== null && a === asNumber(expected);
  }
  return false;
}

/**
 * One comparison: `exists` (not missing, null or empty), `equals`, `contains` (case-insensitive
 * substring, or an array element), `gt` and `lt` on numbers. An unknown operator never holds.
 */
export function matchValue(actual: unknown, condition: ValueCondition): boolean {
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '';
    case 'equals':
      return sameValue(actual, condition.value);
    case 'contains':
      if (typeof actual == 'string') return actual.toLowerCase().includes(String(condition.value).toLowerCase());
      return Array.isArray(actual) && actual.some((item) => sameValue(item, condition.value));
    case 'gt':
    case 'lt': {
      const a = asNumber(actual);
      const b = asNumber(condition.value);
      return a !== null && b !== null && (condition.op == 'gt' ? a > b : a < b);
    }
    default:
      return false;
  }
}
