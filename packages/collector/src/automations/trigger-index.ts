import { createHash } from 'node:crypto';
import { MESSAGE_EVENTS } from '@hark/protocol';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../audiences/membership.js';
import { compareValue, readPath } from '../rules/compare-values.js';
import type { Automation, PropertyCondition, Trigger } from './automation-types.js';

/** The pseudo event name a kind change is matched under (kinds change inside identify and email). */
export const KIND_CHANGED = '$kind_changed';

/** What the index remembers of one live automation for one event name. */
interface EventWatch {
  automationId: string;
  /** Conditions the event must meet to start a run; null: this name only resumes or exits runs. */
  enter: ((properties: Record<string, unknown>) => boolean) | null;
}

/**
 * The live automations of one project, indexed by the event names they react to: trigger events
 * (and the events segment, answer and webhook triggers stand for), goal events, events a
 * wait_for_event step waits for, and `Segment Exited` for segment exits. Built once per change of
 * the project's automations, so an event whose name no live automation mentions costs one map
 * lookup at ingest, and a project with no live automation costs one `size` check.
 */
export interface TriggerIndex {
  readonly size: number;
  /** Automations a tracked event starts, and whether any run may be waiting on it or exit on it. */
  match(name: string, properties: Record<string, unknown>): { enter: string[]; watched: boolean };
  /** Automations that start when someone is added to this list. */
  listAdded(listId: string): string[];
  /** Automations that start on this kind change. */
  kindChanged(from: string, to: string): string[];
  /** Whether any live automation starts on a kind change (only then does ingest look at kinds). */
  readonly watchesKinds: boolean;
}

export const EMPTY_INDEX: TriggerIndex = { size: 0, match: () => ({ enter: [], watched: false }), listAdded: () => [], kindChanged: () => [], watchesKinds: false };

const holds = (where: readonly PropertyCondition[] | undefined) => (properties: Record<string, unknown>): boolean =>
  (where ?? []).every((c) => compareValue(readPath(properties, c.property), c.op, c.value, 0));

/** The event a trigger stands for, with the conditions that start a run. */
function triggerEvent(trigger: Trigger): { name: string; enter: (p: Record<string, unknown>) => boolean } | null {
  switch (trigger.type) {
    case 'event':
      return { name: trigger.event, enter: holds(trigger.where) };
    case 'segment_entered':
      return { name: SEGMENT_ENTERED, enter: (p) => p.segmentId === trigger.segment };
    case 'segment_exited':
      return { name: SEGMENT_EXITED, enter: (p) => p.segmentId === trigger.segment };
    case 'message_answered':
      return {
        name: MESSAGE_EVENTS.answered,
        enter: (p) => {
          if (p.messageId !== trigger.message) return false;
          if (!trigger.grade) return true;
          const grade = typeof p.value === 'string' ? Number(p.value) : p.value;
          if (typeof grade !== 'number' || !Number.isFinite(grade)) return false;
          const { op, value } = trigger.grade;
          return op === 'lte' ? grade <= value : op === 'gte' ? grade >= value : grade === value;
        },
      };
    default:
      return null;
  }
}

const built = new WeakMap<readonly Automation[], TriggerIndex>();

/**
 * The index of a project's live automations (pure), built once per list: the store hands out the
 * same array until an automation changes, so this is a WeakMap hit on every batch after the first.
 */
export function triggerIndexOf(live: readonly Automation[]): TriggerIndex {
  let index = built.get(live);
  if (!index) {
    index = buildTriggerIndex(live);
    built.set(live, index);
  }
  return index;
}

/** Builds the index of a project's live automations (pure). */
export function buildTriggerIndex(live: readonly Automation[]): TriggerIndex {
  if (live.length === 0) return EMPTY_INDEX;
  const byEvent = new Map<string, EventWatch[]>();
  const watch = (name: string, w: EventWatch): void => {
    const list = byEvent.get(name);
    if (list) list.push(w);
    else byEvent.set(name, [w]);
  };
  const lists = new Map<string, string[]>();
  const kinds: { id: string; from?: string; to: string }[] = [];
  for (const automation of live) {
    const { trigger, exit, steps } = automation;
    const entry = triggerEvent(trigger);
    if (entry) watch(entry.name, { automationId: automation.id, enter: entry.enter });
    if (trigger.type === 'list_added') lists.set(trigger.list, [...(lists.get(trigger.list) ?? []), automation.id]);
    if (trigger.type === 'kind_changed') kinds.push({ id: automation.id, ...(trigger.from ? { from: trigger.from } : {}), to: trigger.to });
    if (exit.goal) watch(exit.goal.event, { automationId: automation.id, enter: null });
    if (exit.leftSegment) watch(SEGMENT_EXITED, { automationId: automation.id, enter: null });
    for (const step of steps) if (step.type === 'wait_for_event') watch(step.event, { automationId: automation.id, enter: null });
  }
  return {
    size: live.length,
    match(name, properties) {
      const watches = byEvent.get(name);
      if (!watches) return { enter: [], watched: false };
      const enter: string[] = [];
      let watched = false;
      for (const w of watches) {
        if (w.enter === null) watched = true;
        else if (w.enter(properties)) enter.push(w.automationId);
      }
      return { enter, watched };
    },
    listAdded: (listId) => lists.get(listId) ?? [],
    watchesKinds: kinds.length > 0,
    kindChanged: (from, to) => kinds.filter((k) => k.to === to && (k.from === undefined || k.from === from)).map((k) => k.id),
  };
}

/**
 * A run's id, derived from what started it: the same event entering the same automation twice
 * (a retried job, a replayed hook) is one run.
 */
export function runIdFor(automationId: string, rootId: string, personId: string): string {
  return `run_${createHash('sha256').update(`${automationId}\u0000${rootId}\u0000${personId}`).digest('base64url').slice(0, 22)}`;
}

/** Does an event meet a goal's or a wait's conditions? */
export const eventMeets = (where: readonly PropertyCondition[] | undefined, properties: Record<string, unknown>): boolean => holds(where)(properties);
