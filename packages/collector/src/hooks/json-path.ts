/**
 * The JSON path subset inbound webhook mappings use: `$`, then `.key` or `["key"]` for object
 * keys and `[n]` for array indexes, e.g. `$.data.fields[0].value` or `$["first name"]`.
 * Hand-written because it is this small (a library such as jsonpath-plus brings filters and
 * script expressions a mapping must not run); no wildcards, filters or recursion.
 */
export type PathStep = string | number;

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d{1,6})\]|\["((?:[^"\\]|\\.)*)"\])/;

/** The steps of a path, or null when it is not in the subset. */
export function parsePath(path: string): PathStep[] | null {
  if (typeof path !== 'string' || !path.startsWith('$') || path.length > 500) return null;
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length) {
    const match = STEP.exec(rest);
    if (!match) return null;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(JSON.parse(`"${match[3]}"`) as string);
    rest = rest.slice(match[0].length);
    if (steps.length > 32) return null;
  }
  return steps;
}

/** The value at `steps`, or undefined when any step is missing (own keys only: no prototype reads). */
export function readPath(value: unknown, steps: readonly PathStep[]): unknown {
  let at = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(at) || step >= at.length) return undefined;
      at = at[step];
    } else {
      if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, step)) return undefined;
      at = (at as Record<string, unknown>)[step];
    }
  }
  return at;
}
