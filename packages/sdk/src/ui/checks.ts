import { matchValue, type MessageColors, type PropertyCondition } from '@hark/protocol';

/**
 * Small checks the UI makes on what the collector sent before any of it reaches the page. The
 * collector validates too; these hold even against a collector that does not (or an older one).
 */

export const DEFAULT_COLORS: MessageColors = { background: '#ffffff', text: '#1f2937', button: '#2563eb', buttonText: '#ffffff' };

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** `#rgb` or `#rrggbb`, else the default: nothing else may reach a style. */
export function safeColors(colors: Partial<MessageColors> | undefined): MessageColors {
  const safe = { ...DEFAULT_COLORS };
  for (const key of Object.keys(safe) as (keyof MessageColors)[]) {
    const value = colors?.[key];
    if (typeof value == 'string' && HEX_COLOR.test(value)) safe[key] = value;
  }
  return safe;
}

/** The URL when it is http(s), else null: a `javascript:` or `data:` link never gets a button. */
export function safeUrl(url: unknown): string | null {
  try {
    const parsed = new URL(String(url));
    return parsed.protocol == 'http:' || parsed.protocol == 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const isEmail = (text: string): boolean => EMAIL.test(text);

// ---- event triggers: `where` conditions on the tracked event's properties ---------------------
// Compared with the protocol's matchValue, the same rules the collector applies.

/** A property by name, or by dotted path into nested objects (`plan.name`). */
function readProperty(properties: Record<string, unknown>, path: string): unknown {
  if (path in properties) return properties[path];
  let value: unknown = properties;
  for (const key of path.split('.')) {
    if (typeof value != 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Whether every condition holds for the tracked event's properties, with the collector's rules
 * for traits (see `ValueCondition` in the protocol): `equals` (a number equals its decimal
 * string), `contains` (case-insensitive substring, or an array element), `exists`, `gt`, `lt`.
 */
export function whereHolds(conditions: PropertyCondition[] | undefined, properties: Record<string, unknown> | undefined): boolean {
  return (conditions ?? []).every((condition) => matchValue(readProperty(properties ?? {}, condition.property), condition));
}
