import type { z } from 'zod';

/** Field-level problems keyed by dotted path, as `ApiError.fields` carries them. */
export type FieldErrors = Record<string, string>;

const NOUN: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/**
 * Runs `schema` on `value` and adds one readable sentence per problem to `fields`, under
 * `prefix`. Returns the parsed value, or undefined when there was a problem.
 */
export function collect<T extends z.ZodType>(schema: T, value: unknown, prefix: string, fields: FieldErrors): z.output<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(fields, path ? `${path}.${key}` : key, 'is not a known field');
    } else {
      add(fields, path || '(body)', describe(issue));
    }
  }
  return undefined;
}

/** Keeps the first problem found for a field: it is usually the one to fix first. */
export function add(fields: FieldErrors, path: string, message: string): void {
  if (!(path in fields)) fields[path] = message;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return 'is required';
      return `must be ${NOUN[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return n === 1 ? 'must not be empty' : `must be at least ${n} characters`;
      if (issue.origin === 'array') return `must have at least ${n} item${n === 1 ? '' : 's'}`;
      return issue.inclusive ? `must be at least ${n}` : `must be greater than ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${n} characters`;
      if (issue.origin === 'array') return `must have at most ${n} items`;
      return issue.inclusive ? `must be at most ${n}` : `must be less than ${n}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) return `must be one of ${issue.options.map(String).join(', ')}`;
      return 'is not valid here';
    default:
      return issue.message;
  }
}
