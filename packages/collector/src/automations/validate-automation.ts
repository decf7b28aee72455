import { add, type FieldErrors } from '../messages/field-errors.js';
import { validateRule } from '../rules/index.js';
import {
  ACTION_TYPES,
  AUTOMATION_STATUSES,
  ENTRY_RULES,
  STEP_TYPES,
  TRIGGER_TYPES,
  type AutomationInput,
  type Step,
} from './automation-types.js';

/** Bounds on one automation, so a body cannot make the collector walk an unbounded graph. */
export const AUTOMATION_LIMITS = { maxSteps: 100, maxName: 200, maxText: 1000, maxTraits: 50, maxDays: 365 } as const;

export type AutomationValidation = { ok: true; automation: AutomationInput } | { ok: false; fields: FieldErrors };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const KINDS = ['visitor', 'lead', 'user'];

/**
 * Checks a whole automation and reports every problem at once, keyed by path (`steps.2.rules.and.0.op`,
 * `trigger.where.0.value`), with the rule engine's own checks for branch trees and property
 * conditions. Edges must name steps that exist, and the graph may not loop: a run always ends.
 */
export function validateAutomation(input: unknown): AutomationValidation {
  const fields: FieldErrors = {};
  if (!isObject(input)) return { ok: false, fields: { '(body)': 'must be an object' } };
  for (const key of Object.keys(input)) {
    if (!['name', 'status', 'trigger', 'entry', 'exit', 'start', 'steps'].includes(key)) add(fields, key, 'is not a known field');
  }
  text(input.name, 'name', fields, AUTOMATION_LIMITS.maxName);
  oneOf(input.status, 'status', AUTOMATION_STATUSES, fields);
  oneOf(input.entry, 'entry', ENTRY_RULES, fields);
  checkTrigger(input.trigger, fields);
  checkExit(input.exit, fields);

  const ids = new Set<string>();
  if (!Array.isArray(input.steps)) add(fields, 'steps', 'must be a list of steps');
  else if (input.steps.length > AUTOMATION_LIMITS.maxSteps) add(fields, 'steps', `must have at most ${AUTOMATION_LIMITS.maxSteps} items`);
  else {
    input.steps.forEach((step, i) => {
      const path = `steps.${i}`;
      if (!isObject(step)) return add(fields, path, 'must be a step with an id and a type');
      if (typeof step.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(step.id)) add(fields, `${path}.id`, 'must be 1–64 letters, digits, _ or -');
      else if (ids.has(step.id)) add(fields, `${path}.id`, `is used by another step`);
      else ids.add(step.id);
      checkStep(step, path, fields);
    });
    if (input.start !== undefined && input.start !== null && !ids.has(String(input.start))) add(fields, 'start', 'must be the id of a step');
    if (Object.keys(fields).length === 0) checkEdges(input.steps as Step[], ids, fields);
  }
  return Object.keys(fields).length ? { ok: false, fields } : { ok: true, automation: input as unknown as AutomationInput };
}

/** The edges a step has, by the name its field carries. */
export function edgesOf(step: Step): [string, string | null | undefined][] {
  switch (step.type) {
    case 'wait':
    case 'action':
      return [['next', step.next]];
    case 'wait_for_event':
      return [['onEvent', step.onEvent], ['onTimeout', step.onTimeout]];
    case 'branch':
      return [['yes', step.yes], ['no', step.no]];
    case 'exit':
      return [];
  }
}

function checkEdges(steps: Step[], ids: Set<string>, fields: FieldErrors): void {
  steps.forEach((step, i) => {
    for (const [name, target] of edgesOf(step)) {
      if (target === undefined || target === null) continue;
      if (typeof target !== 'string' || !ids.has(target)) add(fields, `steps.${i}.${name}`, 'must be the id of a step, or null to end the run');
      else if (target === step.id) add(fields, `steps.${i}.${name}`, 'must not lead back to the same step');
    }
  });
  if (Object.keys(fields).length) return;
  // A loop would keep a run alive for ever; depth-first search for a back edge.
  const byId = new Map(steps.map((step) => [step.id, step]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): string | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return id;
    state.set(id, 'open');
    for (const [, target] of edgesOf(byId.get(id)!)) {
      if (!target) continue;
      const loop = visit(target);
      if (loop) return loop;
    }
    state.set(id, 'done');
    return null;
  };
  for (const step of steps) {
    const loop = visit(step.id);
    if (loop) {
      add(fields, `steps.${steps.findIndex((s) => s.id === loop)}`, 'is part of a loop; a run must always reach an end');
      return;
    }
  }
}

function checkTrigger(trigger: unknown, fields: FieldErrors): void {
  if (!isObject(trigger)) return add(fields, 'trigger', 'is required: an object with a type');
  if (!oneOf(trigger.type, 'trigger.type', TRIGGER_TYPES, fields)) return;
  switch (trigger.type) {
    case 'event':
      known(trigger, ['type', 'event', 'where'], 'trigger', fields);
      return conditions(trigger.event, trigger.where, 'trigger', fields);
    case 'segment_entered':
    case 'segment_exited':
      known(trigger, ['type', 'segment'], 'trigger', fields);
      return text(trigger.segment, 'trigger.segment', fields);
    case 'list_added':
      known(trigger, ['type', 'list'], 'trigger', fields);
      return text(trigger.list, 'trigger.list', fields);
    case 'kind_changed':
      known(trigger, ['type', 'from', 'to'], 'trigger', fields);
      if (trigger.from !== undefined) oneOf(trigger.from, 'trigger.from', KINDS, fields);
      oneOf(trigger.to, 'trigger.to', ['lead', 'user'], fields);
      return;
    case 'message_answered':
      known(trigger, ['type', 'message', 'grade'], 'trigger', fields);
      text(trigger.message, 'trigger.message', fields);
      if (trigger.grade !== undefined) {
        if (!isObject(trigger.grade)) return add(fields, 'trigger.grade', 'must be { op, value }');
        oneOf(trigger.grade.op, 'trigger.grade.op', ['lte', 'gte', 'equals'], fields);
        if (!Number.isInteger(trigger.grade.value) || (trigger.grade.value as number) < 1 || (trigger.grade.value as number) > 5) {
          add(fields, 'trigger.grade.value', 'must be a whole number from 1 to 5');
        }
      }
      return;
    case 'manual':
      known(trigger, ['type'], 'trigger', fields);
  }
}

function checkExit(exit: unknown, fields: FieldErrors): void {
  if (!isObject(exit)) return add(fields, 'exit', 'is required: an object (may be empty)');
  known(exit, ['goal', 'leftSegment'], 'exit', fields);
  if (exit.goal !== undefined && exit.goal !== null) {
    if (!isObject(exit.goal)) return add(fields, 'exit.goal', 'must be { event, where? } or null');
    known(exit.goal, ['event', 'where'], 'exit.goal', fields);
    conditions(exit.goal.event, exit.goal.where, 'exit.goal', fields);
  }
  if (exit.leftSegment !== undefined && exit.leftSegment !== null) text(exit.leftSegment, 'exit.leftSegment', fields);
}

function checkStep(step: Record<string, unknown>, path: string, fields: FieldErrors): void {
  if (!oneOf(step.type, `${path}.type`, STEP_TYPES, fields)) return;
  switch (step.type) {
    case 'wait': {
      if ('duration' in step === 'until' in step) return add(fields, path, 'a wait has either a duration or an until');
      known(step, ['id', 'type', 'duration', 'until', 'next'], path, fields);
      if ('duration' in step) return duration(step.duration, `${path}.duration`, fields);
      const until = step.until;
      if (!isObject(until)) return add(fields, `${path}.until`, 'must be { time: "HH:MM", weekdays? }');
      known(until, ['time', 'weekdays'], `${path}.until`, fields);
      if (typeof until.time !== 'string' || !TIME.test(until.time)) add(fields, `${path}.until.time`, 'must be a time of day, HH:MM (24 h)');
      if (until.weekdays !== undefined) {
        const days = until.weekdays;
        if (!Array.isArray(days) || days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
          add(fields, `${path}.until.weekdays`, 'must be a list of weekdays, 0 (Sunday) to 6 (Saturday)');
        }
      }
      return;
    }
    case 'wait_for_event':
      known(step, ['id', 'type', 'event', 'where', 'timeout', 'onEvent', 'onTimeout'], path, fields);
      conditions(step.event, step.where, path, fields);
      return duration(step.timeout, `${path}.timeout`, fields);
    case 'branch': {
      known(step, ['id', 'type', 'rules', 'yes', 'no'], path, fields);
      if (step.rules === undefined) return add(fields, `${path}.rules`, 'is required');
      const result = validateRule(step.rules, `${path}.rules`);
      if (!result.ok) for (const [key, message] of Object.entries(result.fields)) add(fields, key, message);
      return;
    }
    case 'action':
      known(step, ['id', 'type', 'action', 'next'], path, fields);
      return checkAction(step.action, `${path}.action`, fields);
    case 'exit':
      known(step, ['id', 'type'], path, fields);
  }
}

function checkAction(action: unknown, path: string, fields: FieldErrors): void {
  if (!isObject(action)) return add(fields, path, 'is required: an object with a type');
  if (!oneOf(action.type, `${path}.type`, ACTION_TYPES, fields)) return;
  const single = (key: string): void => {
    known(action, ['type', key], path, fields);
    text(action[key], `${path}.${key}`, fields);
  };
  switch (action.type) {
    case 'show_message':
      return single('message');
    case 'add_to_list':
    case 'remove_from_list':
      return single('list');
    case 'webhook':
      return single('webhook');
    case 'email':
      return single('templateId');
    case 'update_traits': {
      known(action, ['type', 'traits'], path, fields);
      const traits = action.traits;
      if (!isObject(traits) || Object.keys(traits).length === 0) return add(fields, `${path}.traits`, 'must be an object with at least one trait');
      if (Object.keys(traits).length > AUTOMATION_LIMITS.maxTraits) return add(fields, `${path}.traits`, `must have at most ${AUTOMATION_LIMITS.maxTraits} traits`);
      for (const [key, value] of Object.entries(traits)) {
        if (key.trim() === '' || key.length > 200) add(fields, `${path}.traits`, 'trait names must be 1–200 characters');
        else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) add(fields, `${path}.traits.${key}`, 'must be text, a number, true or false, or null (removes it)');
        else if (typeof value === 'string' && value.length > AUTOMATION_LIMITS.maxText) add(fields, `${path}.traits.${key}`, `must be at most ${AUTOMATION_LIMITS.maxText} characters`);
      }
    }
  }
}

/** An event name with optional property conditions, checked by the rule engine as an event leaf. */
function conditions(event: unknown, where: unknown, path: string, fields: FieldErrors): void {
  const result = validateRule({ type: 'event', event, ...(where !== undefined ? { where } : {}) }, path);
  if (!result.ok) for (const [key, message] of Object.entries(result.fields)) add(fields, key, message);
}

function duration(value: unknown, path: string, fields: FieldErrors): void {
  if (!isObject(value)) return add(fields, path, 'must be { amount, unit } (seconds, minutes, hours or days)');
  known(value, ['amount', 'unit'], path, fields);
  if (!oneOf(value.unit, `${path}.unit`, UNITS, fields)) return;
  const ms = Number(value.amount) * UNIT_MS[value.unit as keyof typeof UNIT_MS];
  if (!Number.isInteger(value.amount) || (value.amount as number) < 1) add(fields, `${path}.amount`, 'must be a whole number, at least 1');
  else if (ms > AUTOMATION_LIMITS.maxDays * UNIT_MS.days) add(fields, `${path}.amount`, `must be at most ${AUTOMATION_LIMITS.maxDays} days`);
}

/** Milliseconds of a validated `{ amount, unit }`. */
export const durationMs = (value: { amount: number; unit: keyof typeof UNIT_MS }): number => value.amount * UNIT_MS[value.unit];

function known(value: Record<string, unknown>, keys: string[], path: string, fields: FieldErrors): void {
  for (const key of Object.keys(value)) if (!keys.includes(key)) add(fields, `${path}.${key}`, 'is not a known field');
}

function text(value: unknown, path: string, fields: FieldErrors, max: number = AUTOMATION_LIMITS.maxText): void {
  if (value === undefined) return add(fields, path, 'is required');
  if (typeof value !== 'string') return add(fields, path, 'must be text');
  if (value.trim() === '') return add(fields, path, 'must not be empty');
  if (value.length > max) add(fields, path, `must be at most ${max} characters`);
}

function oneOf(value: unknown, path: string, options: readonly string[], fields: FieldErrors): boolean {
  if (value === undefined) {
    add(fields, path, 'is required');
    return false;
  }
  if (typeof value !== 'string' || !options.includes(value)) {
    add(fields, path, `must be one of ${options.join(', ')}`);
    return false;
  }
  return true;
}
