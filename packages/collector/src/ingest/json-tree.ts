import { LIMITS } from '@hark/protocol';

/** Keys that would reach an object's prototype if a later consumer used plain assignment. */
const POISONED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type TreeCheck = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/**
 * Checks a properties/traits/context object against the caps (depth, key count, string length)
 * and returns a copy without prototype-poisoning keys. Walks once; no recursion limit surprises
 * because depth is capped before descending.
 */
export function checkJsonTree(value: unknown, path: string): TreeCheck {
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: `${path} must be an object.` };
  const problem = { message: '' };
  const copy = walk(value, path, 1, problem);
  return problem.message ? { ok: false, message: problem.message } : { ok: true, value: copy as Record<string, unknown> };
}

function walk(value: unknown, path: string, depth: number, problem: { message: string }): unknown {
  if (problem.message) return undefined;
  if (typeof value === 'string') {
    if (value.length > LIMITS.maxStringLength) problem.message = `${path} is longer than ${LIMITS.maxStringLength} characters.`;
    return value;
  }
  if (typeof value === 'number') {
    // JSON has no NaN/Infinity, but 1e400 parses to Infinity; store what can be read back.
    if (!Number.isFinite(value)) problem.message = `${path} is not a finite number.`;
    return value;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value !== 'object') {
    problem.message = `${path} has an unsupported value.`;
    return undefined;
  }
  if (depth > LIMITS.maxDepth) {
    problem.message = `${path} is nested deeper than ${LIMITS.maxDepth} levels.`;
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxKeys) problem.message = `${path} has more than ${LIMITS.maxKeys} items.`;
    return value.map((item, i) => walk(item, `${path}[${i}]`, depth + 1, problem));
  }
  const keys = Object.keys(value);
  if (keys.length > LIMITS.maxKeys) {
    problem.message = `${path} has more than ${LIMITS.maxKeys} keys.`;
    return undefined;
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (POISONED_KEYS.has(key)) continue;
    if (key.length > LIMITS.maxNameLength) {
      problem.message = `${path} has a key longer than ${LIMITS.maxNameLength} characters.`;
      return undefined;
    }
    copy[key] = walk((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, problem);
  }
  return copy;
}
