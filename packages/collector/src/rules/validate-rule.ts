import type { FieldErrors } from '../messages/field-errors.js';
import {
  COUNT_OPS,
  EMAIL_OPS,
  GEO_FIELDS,
  GEO_OPS,
  LEAF_TYPES,
  MESSAGE_OPS,
  PROPERTY_OPS,
  SEEN_OPS,
  TRAIT_OPS,
  type Rule,
} from './rule-types.js';

/**
 * Bounds on a tree, so that a request (even one refused for its key) cannot make the collector
 * walk or evaluate an unbounded structure: depth, node count, children per group, conditions per
 * event rule. Validation stops descending past MAX_DEPTH, so a deeply nested body is a 400, not
 * a stack overflow.
 */
export const RULE_LIMITS = { maxDepth: 8, maxNodes: 200, maxChildren: 50, maxWhere: 20, maxDays: 3650, maxCount: 1_000_000, maxText: 1000, maxIn: 100 } as const;

export type RuleValidation = { ok: true; rule: Rule } | { ok: false; fields: FieldErrors };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** An ISO-8601 date or date-time; a bare date is midnight UTC. */
export function parseIsoDate(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) ? ms : null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a rule tree and reports every problem at once, keyed by path under `prefix`
 * (`rules.and.2.or.0.value`), the way message fields are.
 */
export function validateRule(input: unknown, prefix = 'rules'): RuleValidation {
  const fields: FieldErrors = {};
  const state = { nodes: 0 };
  checkNode(input, prefix, 1, state, fields);
  if (state.nodes > RULE_LIMITS.maxNodes) add(fields, prefix, `has ${state.nodes} rules; at most ${RULE_LIMITS.maxNodes}`);
  return Object.keys(fields).length ? { ok: false, fields } : { ok: true, rule: input as Rule };
}

function add(fields: FieldErrors, path: string, message: string): void {
  if (!(path in fields)) fields[path] = message;
}

function checkNode(node: unknown, path: string, depth: number, state: { nodes: number }, fields: FieldErrors): void {
  state.nodes++;
  if (state.nodes > RULE_LIMITS.maxNodes) return;
  if (!isObject(node)) return add(fields, path, 'must be a rule: { and }, { or }, { not } or a leaf with a type');
  const groups = ['and', 'or', 'not'].filter((key) => key in node);
  if (groups.length > 0) {
    if (groups.length > 1 || Object.keys(node).length > 1) return add(fields, path, 'a group has exactly one key: and, or or not');
    const key = groups[0]!;
    if (depth >= RULE_LIMITS.maxDepth) return add(fields, `${path}.${key}`, `nests too deep; at most ${RULE_LIMITS.maxDepth} levels`);
    if (key === 'not') return checkNode(node.not, `${path}.not`, depth + 1, state, fields);
    const children = node[key];
    if (!Array.isArray(children)) return add(fields, `${path}.${key}`, 'must be a list of rules');
    if (children.length === 0) return add(fields, `${path}.${key}`, 'must have at least 1 item');
    if (children.length > RULE_LIMITS.maxChildren) return add(fields, `${path}.${key}`, `must have at most ${RULE_LIMITS.maxChildren} items`);
    children.forEach((child, i) => checkNode(child, `${path}.${key}.${i}`, depth + 1, state, fields));
    return;
  }
  checkLeaf(node, path, fields);
}

type Check = (leaf: Record<string, unknown>, path: string, fields: FieldErrors) => void;

const text = (leaf: Record<string, unknown>, key: string, path: string, fields: FieldErrors): void => {
  const value = leaf[key];
  if (value === undefined) return add(fields, `${path}.${key}`, 'is required');
  if (typeof value !== 'string') return add(fields, `${path}.${key}`, 'must be text');
  if (value.trim() === '') return add(fields, `${path}.${key}`, 'must not be empty');
  if (value.length > RULE_LIMITS.maxText) add(fields, `${path}.${key}`, `must be at most ${RULE_LIMITS.maxText} characters`);
};

const oneOf = (leaf: Record<string, unknown>, key: string, options: readonly string[], path: string, fields: FieldErrors): boolean => {
  if (leaf[key] === undefined) return add(fields, `${path}.${key}`, 'is required'), false;
  if (!options.includes(leaf[key] as string)) return add(fields, `${path}.${key}`, `must be one of ${options.join(', ')}`), false;
  return true;
};

const days = (value: unknown, path: string, fields: FieldErrors): void => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > RULE_LIMITS.maxDays) {
    add(fields, path, `must be a whole number of days from 1 to ${RULE_LIMITS.maxDays}`);
  }
};

/** exists/not_exists take no value; ordering needs a number or an ISO date; the rest a scalar. */
function checkComparison(leaf: Record<string, unknown>, path: string, fields: FieldErrors, ops: readonly string[]): void {
  if (!oneOf(leaf, 'op', ops, path, fields)) return;
  const op = leaf.op as string;
  const value = leaf.value;
  const at = `${path}.value`;
  if (op === 'exists' || op === 'not_exists') {
    if (value !== undefined) add(fields, at, `must be left out for ${op}`);
  } else if (op === 'within_last_days') {
    days(value, at, fields);
  } else if (value === undefined) {
    add(fields, at, `is required for ${op}`);
  } else if (['gt', 'gte', 'lt', 'lte'].includes(op)) {
    if (!(typeof value === 'number' && Number.isFinite(value)) && parseIsoDate(value) === null) add(fields, at, `must be a number or an ISO date for ${op}`);
  } else if (!['string', 'number', 'boolean'].includes(typeof value)) {
    add(fields, at, 'must be text, a number or true/false');
  } else if (typeof value === 'string' && value.length > RULE_LIMITS.maxText) {
    add(fields, at, `must be at most ${RULE_LIMITS.maxText} characters`);
  }
}

function checkWindow(window: unknown, path: string, fields: FieldErrors): void {
  if (window === undefined) return;
  if (!isObject(window)) return add(fields, path, 'must be { lastDays } or { from, to }');
  if ('lastDays' in window) {
    unknownKeys(window, ['lastDays'], path, fields);
    return days(window.lastDays, `${path}.lastDays`, fields);
  }
  unknownKeys(window, ['from', 'to'], path, fields);
  if (window.from === undefined && window.to === undefined) return add(fields, path, 'must be { lastDays } or { from, to }');
  const from = parseIsoDate(window.from);
  const to = parseIsoDate(window.to);
  if (from === null) add(fields, `${path}.from`, 'must be an ISO date such as 2026-11-01');
  if (to === null) add(fields, `${path}.to`, 'must be an ISO date such as 2026-11-30');
  if (from !== null && to !== null && to < from) add(fields, `${path}.to`, 'must not be before from');
}

function checkWhere(where: unknown, path: string, fields: FieldErrors): void {
  if (where === undefined) return;
  if (!Array.isArray(where)) return add(fields, path, 'must be a list of property conditions');
  if (where.length > RULE_LIMITS.maxWhere) return add(fields, path, `must have at most ${RULE_LIMITS.maxWhere} items`);
  where.forEach((condition, i) => {
    const at = `${path}.${i}`;
    if (!isObject(condition)) return add(fields, at, 'must be { property, op, value }');
    unknownKeys(condition, ['property', 'op', 'value'], at, fields);
    text(condition, 'property', at, fields);
    checkComparison(condition, at, fields, PROPERTY_OPS);
  });
}

function unknownKeys(leaf: Record<string, unknown>, known: readonly string[], path: string, fields: FieldErrors): void {
  for (const key of Object.keys(leaf)) if (!known.includes(key)) add(fields, `${path}.${key}`, 'is not a known field');
}

const LEAVES: Record<(typeof LEAF_TYPES)[number], { keys: string[]; check: Check }> = {
  kind: {
    keys: ['value'],
    check: (leaf, path, fields) => {
      const value = leaf.value;
      if (!Array.isArray(value) || value.length === 0 || value.length > 3) return add(fields, `${path}.value`, 'must be a list of visitor, lead, user');
      value.forEach((kind, i) => {
        if (!['visitor', 'lead', 'user'].includes(kind as string)) add(fields, `${path}.value.${i}`, 'must be one of visitor, lead, user');
      });
    },
  },
  trait: { keys: ['trait', 'op', 'value'], check: (leaf, path, fields) => (text(leaf, 'trait', path, fields), checkComparison(leaf, path, fields, TRAIT_OPS)) },
  company_trait: {
    keys: ['trait', 'op', 'value'],
    check: (leaf, path, fields) => (text(leaf, 'trait', path, fields), checkComparison(leaf, path, fields, TRAIT_OPS)),
  },
  list: { keys: ['list'], check: (leaf, path, fields) => text(leaf, 'list', path, fields) },
  event: {
    keys: ['event', 'count', 'window', 'where'],
    check: (leaf, path, fields) => {
      text(leaf, 'event', path, fields);
      const count = leaf.count;
      if (count !== undefined) {
        if (!isObject(count)) add(fields, `${path}.count`, 'must be { op, value }');
        else {
          unknownKeys(count, ['op', 'value'], `${path}.count`, fields);
          oneOf(count, 'op', COUNT_OPS, `${path}.count`, fields);
          const n = count.value;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > RULE_LIMITS.maxCount) {
            add(fields, `${path}.count.value`, `must be a whole number from 0 to ${RULE_LIMITS.maxCount}`);
          }
        }
      }
      checkWindow(leaf.window, `${path}.window`, fields);
      checkWhere(leaf.where, `${path}.where`, fields);
    },
  },
  no_event: {
    keys: ['event', 'window', 'where'],
    check: (leaf, path, fields) => {
      text(leaf, 'event', path, fields);
      checkWindow(leaf.window, `${path}.window`, fields);
      checkWhere(leaf.where, `${path}.where`, fields);
    },
  },
  first_seen: { keys: ['op', 'value'], check: (leaf, path, fields) => checkSeen(leaf, path, fields) },
  last_seen: { keys: ['op', 'value'], check: (leaf, path, fields) => checkSeen(leaf, path, fields) },
  geo: {
    keys: ['field', 'op', 'value'],
    check: (leaf, path, fields) => {
      oneOf(leaf, 'field', GEO_FIELDS, path, fields);
      if (!oneOf(leaf, 'op', GEO_OPS, path, fields)) return;
      const at = `${path}.value`;
      if (leaf.op === 'exists' || leaf.op === 'not_exists') {
        if (leaf.value !== undefined) add(fields, at, `must be left out for ${String(leaf.op)}`);
      } else if (leaf.op === 'in') {
        const value = leaf.value;
        if (!Array.isArray(value) || value.length === 0 || value.length > RULE_LIMITS.maxIn || !value.every((v) => typeof v === 'string' && v.length <= 200)) {
          add(fields, at, `must be a list of 1 to ${RULE_LIMITS.maxIn} names`);
        }
      } else if (typeof leaf.value !== 'string' || leaf.value === '' || leaf.value.length > 200) {
        add(fields, at, 'must be a name such as FR, Europe or Paris');
      }
    },
  },
  message: {
    keys: ['message', 'op', 'value'],
    check: (leaf, path, fields) => {
      text(leaf, 'message', path, fields);
      if (!oneOf(leaf, 'op', MESSAGE_OPS, path, fields)) return;
      const graded = leaf.op === 'grade_lte' || leaf.op === 'grade_gte';
      if (graded && !(typeof leaf.value === 'number' && Number.isInteger(leaf.value) && leaf.value >= 1 && leaf.value <= 5)) {
        add(fields, `${path}.value`, 'must be a grade from 1 to 5');
      } else if (!graded && leaf.value !== undefined) add(fields, `${path}.value`, `must be left out for ${String(leaf.op)}`);
    },
  },
  email: {
    keys: ['op', 'template', 'window'],
    check: (leaf, path, fields) => {
      oneOf(leaf, 'op', EMAIL_OPS, path, fields);
      if (leaf.template !== undefined) text(leaf, 'template', path, fields);
      checkWindow(leaf.window, `${path}.window`, fields);
    },
  },
  opted_out: { keys: [], check: () => undefined },
};

function checkSeen(leaf: Record<string, unknown>, path: string, fields: FieldErrors): void {
  if (!oneOf(leaf, 'op', SEEN_OPS, path, fields)) return;
  if (leaf.op === 'within_last_days' || leaf.op === 'not_within_last_days') days(leaf.value, `${path}.value`, fields);
  else if (parseIsoDate(leaf.value) === null) add(fields, `${path}.value`, `must be an ISO date for ${String(leaf.op)}`);
}

function checkLeaf(leaf: Record<string, unknown>, path: string, fields: FieldErrors): void {
  if (!LEAF_TYPES.includes(leaf.type as (typeof LEAF_TYPES)[number])) {
    return add(fields, leaf.type === undefined ? path : `${path}.type`, `must be a group (and, or, not) or a leaf with type ${LEAF_TYPES.join(', ')}`);
  }
  const spec = LEAVES[leaf.type as (typeof LEAF_TYPES)[number]];
  unknownKeys(leaf, ['type', ...spec.keys], path, fields);
  spec.check(leaf, path, fields);
}
