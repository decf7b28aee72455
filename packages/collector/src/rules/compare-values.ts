import type { Scalar } from './rule-types.js';
import { parseIsoDate } from './validate-rule.js';
import { DAY_MS } from './person-facts.js';

/** Comparisons shared by trait, company-trait and event-property leaves. */

const asNumber = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
};

/** A date held in a trait: an ISO string, or epoch milliseconds. */
export const asInstant = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const iso = parseIsoDate(value);
  if (iso !== null) return iso;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
};

const same = (actual: unknown, expected: Scalar | undefined): boolean => {
  if (actual === expected) return true;
  if (typeof actual === 'number' || typeof expected === 'number') {
    const a = asNumber(actual);
    return a !== null && a === asNumber(expected);
  }
  if (Array.isArray(actual)) return actual.some((item) => same(item, expected));
  return false;
};

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** `value` a number compares numbers; an ISO date compares instants. */
function order(actual: unknown, expected: Scalar | undefined): number | null {
  if (typeof expected === 'number') {
    const a = asNumber(actual);
    return a === null ? null : a - expected;
  }
  const b = parseIsoDate(expected);
  const a = asInstant(actual);
  return a === null || b === null ? null : a - b;
}

export function compareValue(actual: unknown, op: string, expected: Scalar | undefined, now: number): boolean {
  switch (op) {
    case 'exists':
      return present(actual);
    case 'not_exists':
      return !present(actual);
    case 'equals':
      return same(actual, expected);
    case 'not_equals':
      return !same(actual, expected);
    case 'contains':
      if (typeof actual === 'string') return actual.toLowerCase().includes(String(expected).toLowerCase());
      return Array.isArray(actual) && actual.some((item) => same(item, expected));
    case 'starts_with':
      return typeof actual === 'string' && actual.toLowerCase().startsWith(String(expected).toLowerCase());
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const d = order(actual, expected);
      if (d === null) return false;
      return op === 'gt' ? d > 0 : op === 'gte' ? d >= 0 : op === 'lt' ? d < 0 : d <= 0;
    }
    case 'within_last_days': {
      const at = asInstant(actual);
      return at !== null && at <= now && at >= now - Number(expected) * DAY_MS;
    }
    default:
      return false;
  }
}

/** When a `within_last_days` answer on `actual` changes with time alone, or null if never. */
export function withinChangesAt(actual: unknown, lastDays: number, now: number): number | null {
  const at = asInstant(actual);
  if (at === null) return null;
  if (at > now) return at;
  const leaves = at + lastDays * DAY_MS + 1;
  return leaves > now ? leaves : null;
}

/** Reads a dotted path (`company.plan`) from an object of traits or properties. */
export function readPath(source: Record<string, unknown>, path: string): unknown {
  if (path in source) return source[path];
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
