import { LIMITS } from '@hark/protocol';
import { add, type FieldErrors } from '../messages/field-errors.js';
import { parsePath, readPath } from './json-path.js';

/**
 * How an inbound webhook's JSON becomes a Hark event. Every value but `event.name` is a JSON path
 * (json-path.ts). The event name and the source id (dedupe) must be found; of userId, email and
 * anonymousId at least one; traits and properties whose path is missing are left out (form tools
 * leave optional fields out).
 */
export interface HookMapping {
  event: { name: string } | { path: string };
  userId?: string;
  email?: string;
  anonymousId?: string;
  traits?: Record<string, string>;
  properties?: Record<string, string>;
  /** The delivery's own id in the payload: the same id twice is stored once. */
  sourceId?: string;
}

/** What a payload maps to, before it becomes wire events. */
export interface MappedEvent {
  event: string;
  userId: string | null;
  email: string | null;
  anonymousId: string | null;
  traits: Record<string, unknown>;
  properties: Record<string, unknown>;
  sourceId: string | null;
}

export type MapResult = { ok: true; mapped: MappedEvent } | { ok: false; code: 'mapping_path_missing' | 'mapping_path_invalid'; paths: string[]; message: string };

const MAX_FIELDS = 100;
const NAME = /^[^\s].{0,199}$/s;

/** Checks a mapping from a request body; every problem at once, keyed like field errors (`mapping.traits.plan`). */
export function validateMapping(value: unknown, fields: FieldErrors, prefix = 'mapping'): HookMapping | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    add(fields, prefix, 'must be an object');
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const path = (key: string, given: unknown): string | undefined => {
    if (typeof given !== 'string' || parsePath(given) === null) {
      add(fields, key, 'must be a JSON path such as $.data.email ($, then .key, ["key"] or [0] steps)');
      return undefined;
    }
    return given;
  };
  const mapping: HookMapping = { event: { name: '' } };
  for (const key of Object.keys(raw)) {
    if (!['event', 'userId', 'email', 'anonymousId', 'traits', 'properties', 'sourceId'].includes(key)) add(fields, `${prefix}.${key}`, 'is not a known field');
  }
  const event = raw.event as Record<string, unknown> | undefined;
  if (event && typeof event === 'object' && typeof event.name === 'string' && event.path === undefined) {
    if (event.name.trim() === '' || event.name.length > LIMITS.maxIdLength) add(fields, `${prefix}.event.name`, `must be 1 to ${LIMITS.maxIdLength} characters`);
    mapping.event = { name: event.name.trim() };
  } else if (event && typeof event === 'object' && event.path !== undefined && event.name === undefined) {
    const found = path(`${prefix}.event.path`, event.path);
    if (found) mapping.event = { path: found };
  } else {
    add(fields, `${prefix}.event`, 'must be { "name": "Form Submitted" } or { "path": "$.event" }');
  }
  for (const key of ['userId', 'email', 'anonymousId', 'sourceId'] as const) {
    if (raw[key] === undefined || raw[key] === null || raw[key] === '') continue;
    const found = path(`${prefix}.${key}`, raw[key]);
    if (found) mapping[key] = found;
  }
  if (!mapping.userId && !mapping.email && !mapping.anonymousId) add(fields, `${prefix}.email`, 'map at least one of userId, email and anonymousId, so the event has a contact');
  for (const key of ['traits', 'properties'] as const) {
    const group = raw[key];
    if (group === undefined || group === null) continue;
    if (typeof group !== 'object' || Array.isArray(group)) {
      add(fields, `${prefix}.${key}`, 'must be an object of name → JSON path');
      continue;
    }
    const entries = Object.entries(group as Record<string, unknown>);
    if (entries.length > MAX_FIELDS) add(fields, `${prefix}.${key}`, `holds at most ${MAX_FIELDS} fields`);
    const out: Record<string, string> = {};
    for (const [name, given] of entries.slice(0, MAX_FIELDS)) {
      if (!NAME.test(name)) add(fields, `${prefix}.${key}.${name}`, 'needs a name of 1 to 200 characters');
      const found = path(`${prefix}.${key}.${name}`, given);
      if (found) out[name] = found;
    }
    mapping[key] = out;
  }
  return mapping;
}

const asId = (value: unknown): string | null | undefined =>
  typeof value === 'string' ? (value.trim() === '' ? undefined : value.trim().slice(0, LIMITS.maxIdLength)) : typeof value === 'number' && Number.isFinite(value) ? String(value) : value === undefined || value === null ? undefined : null;

/**
 * Maps one payload (pure). Missing required paths are all named at once; a path that finds an
 * object where an id or a name is needed is `mapping_path_invalid`.
 */
export function mapPayload(mapping: HookMapping, payload: unknown): MapResult {
  const missing: string[] = [];
  const invalid: string[] = [];
  const at = (path: string) => readPath(payload, parsePath(path) ?? []);
  const id = (path: string | undefined, required: boolean): string | null => {
    if (!path) return null;
    const value = asId(at(path));
    if (value === undefined && required) missing.push(path);
    if (value === null) invalid.push(path);
    return value ?? null;
  };

  const event = 'name' in mapping.event ? mapping.event.name : id(mapping.event.path, true);
  const sourceId = id(mapping.sourceId, true);
  const userId = id(mapping.userId, false);
  const email = id(mapping.email, false);
  const anonymousId = id(mapping.anonymousId, false);
  if (!userId && !email && !anonymousId && !invalid.length) missing.push(...[mapping.userId, mapping.email, mapping.anonymousId].filter((p): p is string => Boolean(p)));
  const pick = (group: Record<string, string> | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(group ?? {})) {
      const value = at(path);
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
  if (missing.length) return { ok: false, code: 'mapping_path_missing', paths: missing, message: `mapping_path_missing: ${missing.join(', ')}` };
  if (invalid.length) return { ok: false, code: 'mapping_path_invalid', paths: invalid, message: `mapping_path_invalid: ${invalid.join(', ')} must be text or a number` };
  return { ok: true, mapped: { event: event!, userId, email, anonymousId, traits: pick(mapping.traits), properties: pick(mapping.properties), sourceId } };
}
