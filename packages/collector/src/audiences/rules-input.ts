import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { add, collect, type FieldErrors } from '../messages/field-errors.js';
import { validateRule, type Rule } from '../rules/index.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const shape = z.strictObject({ name: z.string().trim().min(1).max(200), rules: z.unknown(), enabled: z.boolean().optional() });

/**
 * A segment or suppression-rule body: `{ name, rules }` (all of it for a create, any of it for a
 * PATCH). Every problem, in the name and anywhere in the tree, comes back at once as
 * `400 invalid_fields` keyed by path.
 */
export function readRulesBody(body: unknown, options: { partial: boolean; enabled?: boolean }): { name?: string; rules?: Rule; enabled?: boolean } {
  if (!isObject(body)) throw new ApiError(400, 'invalid_fields', 'The body must be a JSON object with name and rules.', { '(body)': 'must be an object' });
  const fields: FieldErrors = {};
  const schema = options.partial ? shape.partial() : shape;
  const parsed = collect(options.enabled ? schema : schema.omit({ enabled: true }), body, '', fields) as { name?: string; enabled?: boolean } | undefined;
  let rules: Rule | undefined;
  if (body.rules === undefined) {
    if (!options.partial) add(fields, 'rules', 'is required');
  } else {
    const result = validateRule(body.rules, 'rules');
    if (result.ok) rules = result.rule;
    else for (const [path, message] of Object.entries(result.fields)) add(fields, path, message);
  }
  if (!parsed || Object.keys(fields).length) {
    const count = Object.keys(fields).length;
    throw new ApiError(400, 'invalid_fields', `The body has ${count} problem${count === 1 ? '' : 's'}; see fields.`, fields);
  }
  return { ...(parsed.name !== undefined ? { name: parsed.name } : {}), ...(rules ? { rules } : {}), ...(parsed.enabled !== undefined ? { enabled: parsed.enabled } : {}) };
}
