import type { Message, MessageKind, MessageStatus, StoredSchedule } from '@hark/protocol';
import { z } from 'zod';
import { add, collect, type FieldErrors } from './field-errors.js';
import { isTimeZone, localTimeToUtc } from './conditions.js';
import { compileRegex, MAX_REGEX_STEPS_PER_MESSAGE } from './page-match.js';
import { templateProblem } from './template.js';
import { validateRule } from '../rules/index.js';

/**
 * What `POST /api/v1/messages` accepts, and the checks no type can express (regexes that
 * compile, schedules that end after they start, URLs that are http(s)). Every problem is
 * reported against its field, all at once, so an author fixes a message in one round trip.
 */

export const MESSAGE_KINDS = ['notification', 'input', 'survey', 'cta'] as const satisfies readonly MessageKind[];
export const MESSAGE_STATUSES = ['draft', 'live', 'paused', 'archived'] as const satisfies readonly MessageStatus[];
const CONTACT_KINDS = ['visitor', 'lead', 'user'] as const;
const OPERATORS = ['equals', 'contains', 'exists', 'gt', 'lt'] as const;

/** A message as the store keeps it: validated, defaults filled, schedule resolved to UTC. */
export type MessageRecord = Omit<Message, 'id' | 'createdAt' | 'updatedAt'>;

const MAX_REGEX = 500;
const text = (max: number) => z.string().max(max);
const label = text(60);
const key = z.string().min(1).max(200);
const scalar = z.union([z.string().max(1000), z.number(), z.boolean()], { error: 'must be text, a number or true/false' });
const positive = (max: number) => z.number().positive().max(max);
const count = (max: number) => z.number().int().min(1).max(max);

const COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const color = z.string().regex(COLOR, { error: 'must be a colour like #1a2b3c or #abc' });

const traitCondition = z.strictObject({ trait: key, op: z.enum(OPERATORS), value: scalar.optional() });
const propertyCondition = z.strictObject({ property: key, op: z.enum(OPERATORS), value: scalar.optional() });

const schema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(MESSAGE_KINDS),
  status: z.enum(MESSAGE_STATUSES).default('draft'),
  priority: z.number().int().min(-1000).max(1000).default(0),
  content: z.record(z.string(), z.unknown()),
  appearance: z
    .strictObject({
      size: z.enum(['small', 'medium', 'large']).default('medium'),
      position: z.enum(['top', 'bottom', 'top_left', 'top_right', 'bottom_left', 'bottom_right', 'center']).default('bottom_right'),
      colors: z
        .strictObject({
          background: color.default('#ffffff'),
          text: color.default('#1f2937'),
          button: color.default('#2563eb'),
          buttonText: color.default('#ffffff'),
        })
        .default({ background: '#ffffff', text: '#1f2937', button: '#2563eb', buttonText: '#ffffff' }),
      dismissible: z.boolean().default(true),
    })
    .default({
      size: 'medium',
      position: 'bottom_right',
      colors: { background: '#ffffff', text: '#1f2937', button: '#2563eb', buttonText: '#ffffff' },
      dismissible: true,
    }),
  conditions: z
    .strictObject({
      audience: z
        .strictObject({
          kinds: z.array(z.enum(CONTACT_KINDS)).max(3).optional(),
          traits: z.array(traitCondition).max(20).optional(),
          events: z
            .array(z.strictObject({ event: key, atLeast: count(1_000_000), withinDays: positive(3650).optional() }))
            .max(10)
            .optional(),
          segment: z.string().min(1).max(200).optional(),
          fromAutomation: z.boolean().optional(),
          // Checked by the rule engine below, with its paths and limits.
          rules: z.record(z.string(), z.unknown()).optional(),
        })
        .default({}),
      page: z
        .strictObject({
          rules: z
            .array(
              z.strictObject({
                mode: z.enum(['include', 'exclude']),
                match: z.enum(['equals', 'contains', 'starts_with', 'glob', 'regex']),
                value: z.string().min(1).max(2000),
              }),
            )
            .max(50),
        })
        .default({ rules: [] }),
      trigger: z
        .discriminatedUnion('type', [
          z.strictObject({ type: z.literal('page_view') }),
          z.strictObject({ type: z.literal('delay'), seconds: z.number().int().min(0).max(3600) }),
          z.strictObject({ type: z.literal('event'), event: key, where: z.array(propertyCondition).max(20).default([]) }),
        ])
        .default({ type: 'page_view' }),
      schedule: z
        .strictObject({ start: z.string().max(40).optional(), end: z.string().max(40).optional(), timeZone: z.string().min(1).max(100) })
        .nullable()
        .default(null),
      frequency: z
        .discriminatedUnion('type', [
          z.strictObject({ type: z.literal('once') }),
          z.strictObject({ type: z.literal('until_answered'), everyDays: positive(3650).optional(), maxTimes: count(1000).optional() }),
          z.strictObject({ type: z.literal('every_n_days'), days: positive(3650), maxTimes: count(1000).optional() }),
          z.strictObject({ type: z.literal('at_most'), times: count(1000) }),
        ])
        .default({ type: 'once' }),
    })
    .default({
      audience: {},
      page: { rules: [] },
      trigger: { type: 'page_view' },
      schedule: null,
      frequency: { type: 'once' },
    }),
});

const base = { title: text(200).default(''), body: text(2000).default('') };
const CONTENT = {
  notification: z.strictObject(base),
  input: z.strictObject({
    ...base,
    inputType: z.enum(['text', 'email']).default('text'),
    placeholder: text(120).default(''),
    submitLabel: label.min(1).default('Send'),
    maxLength: z.number().int().min(1).max(2000).default(500),
  }),
  survey: z.strictObject({
    ...base,
    lowLabel: label.default('Not likely'),
    highLabel: label.default('Very likely'),
    followUp: text(200).default(''),
    followUpPlaceholder: text(120).default(''),
    submitLabel: label.min(1).default('Send'),
  }),
  cta: z.strictObject({
    ...base,
    buttonLabel: label.min(1).default('Learn more'),
    url: z.string().min(1).max(2000),
    newTab: z.boolean().default(false),
  }),
} satisfies Record<MessageKind, z.ZodType>;

export type ValidationResult = { ok: true; message: MessageRecord } | { ok: false; fields: FieldErrors };

/**
 * Validates a full message definition (a POST body, or a PATCH merged onto the stored one).
 * The checks after the schema read the raw input defensively, so a message with a bad colour
 * and a bad regex hears about both in one answer.
 */
export function validateMessage(input: unknown): ValidationResult {
  const fields: FieldErrors = {};
  const parsed = collect(schema, input, '', fields);
  const raw = isObject(input) ? input : {};
  const kind = MESSAGE_KINDS.includes(raw.kind as MessageKind) ? (raw.kind as MessageKind) : null;
  const content = kind && isObject(raw.content) ? collect(CONTENT[kind], raw.content, 'content', fields) : undefined;
  if (isObject(raw.content)) checkContent(kind, raw.content, fields);

  const conditions = isObject(raw.conditions) ? raw.conditions : {};
  checkPageRules(conditions.page, fields);
  checkValues(isObject(conditions.audience) ? conditions.audience.traits : undefined, 'conditions.audience.traits', fields);
  if (isObject(conditions.audience) && conditions.audience.rules !== undefined) {
    const checked = validateRule(conditions.audience.rules, 'conditions.audience.rules');
    if (!checked.ok) for (const [path, problem] of Object.entries(checked.fields)) add(fields, path, problem);
  }
  if (isObject(conditions.trigger) && conditions.trigger.type === 'event') checkValues(conditions.trigger.where, 'conditions.trigger.where', fields);
  const rawSchedule = conditions.schedule;
  const schedule = isSchedule(rawSchedule) ? checkSchedule(rawSchedule, fields) : null;

  if (!parsed || !content || Object.keys(fields).length) return { ok: false, fields };
  return {
    ok: true,
    message: {
      name: parsed.name,
      kind: parsed.kind,
      status: parsed.status,
      priority: parsed.priority,
      content,
      appearance: parsed.appearance,
      conditions: { ...parsed.conditions, schedule },
    },
  };
}

function checkContent(kind: MessageKind | null, content: Record<string, unknown>, fields: FieldErrors): void {
  const textOf = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
  if (!textOf(content.title) && !textOf(content.body) && typeof (content.title ?? '') === 'string' && typeof (content.body ?? '') === 'string') {
    add(fields, 'content.title', 'give a title or a body');
  }
  for (const [field, value] of Object.entries(content)) {
    if (typeof value !== 'string') continue;
    const problem = templateProblem(value);
    if (problem) add(fields, `content.${field}`, problem);
  }
  // Checked on the template as written: a trait filled in later is URL-encoded, so it cannot
  // change the scheme or host chosen here.
  if (kind === 'cta' && typeof content.url === 'string' && !/^https?:\/\/[^\s/?#{}]+/i.test(content.url)) {
    add(fields, 'content.url', 'must be an http:// or https:// URL with a host');
  }
}

function checkPageRules(page: unknown, fields: FieldErrors): void {
  const rules = isObject(page) && Array.isArray(page.rules) ? page.rules : [];
  let steps = 0;
  rules.forEach((rule, i) => {
    if (!isObject(rule) || typeof rule.value !== 'string') return;
    const path = `conditions.page.rules.${i}.value`;
    // "example.com/pricing" would silently never match: it is neither a path nor a whole URL.
    if ((rule.match === 'equals' || rule.match === 'starts_with') && !/^(\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(rule.value)) {
      return add(fields, path, `must start with / (a path) or a scheme like https:// (a whole URL) for ${rule.match}`);
    }
    if (rule.match !== 'regex') return;
    if (rule.value.length > MAX_REGEX) return add(fields, path, `must be at most ${MAX_REGEX} characters for a regex`);
    const compiled = compileRegex(rule.value);
    if (!compiled.ok) return add(fields, path, compiled.problem);
    steps += compiled.steps;
    if (steps > MAX_REGEX_STEPS_PER_MESSAGE) {
      add(fields, path, `brings this message's regex rules to ${steps} compiled steps, more than the ${MAX_REGEX_STEPS_PER_MESSAGE} a message may take`);
    }
  });
}

/** `exists` takes no value; `gt`/`lt` need a number; `equals`/`contains` need a value. */
function checkValues(list: unknown, prefix: string, fields: FieldErrors): void {
  if (!Array.isArray(list)) return;
  list.forEach((condition, i) => {
    if (!isObject(condition) || !OPERATORS.includes(condition.op as (typeof OPERATORS)[number])) return;
    const path = `${prefix}.${i}.value`;
    if (condition.op === 'exists') {
      if (condition.value !== undefined) add(fields, path, 'must be left out for exists');
    } else if (condition.value === undefined) {
      add(fields, path, `is required for ${String(condition.op)}`);
    } else if ((condition.op === 'gt' || condition.op === 'lt') && typeof condition.value !== 'number') {
      add(fields, path, `must be a number for ${condition.op}`);
    }
  });
}

function isSchedule(value: unknown): value is { start?: string; end?: string; timeZone: string } {
  if (!isObject(value) || typeof value.timeZone !== 'string') return false;
  return ['start', 'end'].every((key) => value[key] === undefined || (typeof value[key] === 'string' && value[key].length <= 40));
}

function checkSchedule(schedule: { start?: string; end?: string; timeZone: string }, fields: FieldErrors): StoredSchedule | null {
  if (!isTimeZone(schedule.timeZone)) {
    add(fields, 'conditions.schedule.timeZone', 'must be an IANA time zone such as Europe/Paris or UTC');
    return null;
  }
  if (schedule.start === undefined && schedule.end === undefined) {
    add(fields, 'conditions.schedule.start', 'give a start, an end or both (or no schedule at all)');
    return null;
  }
  const resolve = (field: 'start' | 'end'): number | null => {
    const value = schedule[field];
    if (value === undefined) return null;
    const ms = localTimeToUtc(value, schedule.timeZone);
    if (ms === null) add(fields, `conditions.schedule.${field}`, 'must be a date and time like 2026-12-01T09:00 (local to timeZone) or 2026-12-01T08:00:00Z');
    return ms;
  };
  const startsAt = resolve('start');
  const endsAt = resolve('end');
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) add(fields, 'conditions.schedule.end', 'must be after start');
  return {
    timeZone: schedule.timeZone,
    ...(schedule.start !== undefined ? { start: schedule.start } : {}),
    ...(schedule.end !== undefined ? { end: schedule.end } : {}),
    startsAt: startsAt === null ? null : new Date(startsAt).toISOString(),
    endsAt: endsAt === null ? null : new Date(endsAt).toISOString(),
  };
}

const MAX_PATCH_DEPTH = 16;

/**
 * JSON merge patch (RFC 7396): objects merge key by key, `null` removes a key, anything else
 * (arrays included) replaces. The result is validated as a whole message.
 */
export function mergePatch(target: unknown, patch: unknown, depth = 0): unknown {
  // Below any field a message has, the patch is kept as given (validation refuses it), so a
  // deeply nested body cannot exhaust the stack.
  if (!isObject(patch) || depth >= MAX_PATCH_DEPTH) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v, depth + 1);
  }
  return result;
}

/** The stored message as a definition again, so a PATCH can be merged onto it. */
export function toDefinition(message: MessageRecord): Record<string, unknown> {
  const { schedule, ...conditions } = message.conditions;
  const definition: Record<string, unknown> = {
    name: message.name,
    kind: message.kind,
    status: message.status,
    priority: message.priority,
    content: message.content,
    appearance: message.appearance,
    conditions: schedule
      ? {
          ...conditions,
          schedule: {
            timeZone: schedule.timeZone,
            ...(schedule.start !== undefined ? { start: schedule.start } : {}),
            ...(schedule.end !== undefined ? { end: schedule.end } : {}),
          },
        }
      : conditions,
  };
  return definition;
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
