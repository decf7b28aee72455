import type { Rule } from '../api/audience-types.js';
import type { Action, Step, Unit } from '../api/automation-types.js';
import { emptyTree, fromRule, toRule, type GroupNode } from '../audiences/rule-tree.js';

/**
 * The editor's steps: a vertical list where a branch or a wait-for-event ends its list and holds
 * its two sub-lists. Turned into the API's graph (ids and edges) on save, and back on load. Step
 * ids are kept, so runs waiting in a step stay there across edits (docs/AUTOMATIONS.md).
 */
export type DraftStep =
  | { id: string; type: 'wait'; mode: 'duration' | 'until'; amount: string; unit: Unit; time: string; weekdays: number[] }
  | { id: string; type: 'wait_for_event'; event: string; amount: string; unit: Unit; onEvent: DraftStep[]; onTimeout: DraftStep[] }
  | { id: string; type: 'branch'; tree: GroupNode; yes: DraftStep[]; no: DraftStep[] }
  | { id: string; type: 'action'; action: Action }
  | { id: string; type: 'exit' };

export type DraftType = DraftStep['type'];
export const STEP_LABELS: Record<DraftType, string> = { wait: 'Wait', wait_for_event: 'Wait for an event', branch: 'Branch on conditions', action: 'Action', exit: 'Exit' };
export const ACTION_LABELS: Record<Action['type'], string> = {
  show_message: 'Show an in-app message',
  email: 'Send an email',
  update_traits: 'Update traits',
  add_to_list: 'Add to a list',
  remove_from_list: 'Remove from a list',
  webhook: 'Call a webhook',
};

let counter = 0;
const newId = (): string => `s${Date.now().toString(36)}${(++counter).toString(36)}`;

export function newStep(type: DraftType): DraftStep {
  const id = newId();
  switch (type) {
    case 'wait':
      return { id, type, mode: 'duration', amount: '1', unit: 'days', time: '09:00', weekdays: [] };
    case 'wait_for_event':
      return { id, type, event: '', amount: '3', unit: 'days', onEvent: [], onTimeout: [] };
    case 'branch':
      return { id, type, tree: emptyTree(), yes: [], no: [] };
    case 'action':
      return { id, type, action: { type: 'show_message', message: '' } };
    case 'exit':
      return { id, type };
  }
}

export function newAction(type: Action['type']): Action {
  switch (type) {
    case 'update_traits':
      return { type, traits: { '': '' } };
    case 'add_to_list':
    case 'remove_from_list':
      return { type, list: '' };
    case 'webhook':
      return { type, webhook: '' };
    case 'email':
      return { type, templateId: '' };
    default:
      return { type: 'show_message', message: '' };
  }
}

/** A branching step ends its list: what follows belongs to its sub-lists. */
export const endsList = (step: DraftStep): boolean => step.type === 'branch' || step.type === 'wait_for_event' || step.type === 'exit';

/** The API's steps (depth first, so each step's index is stable for field errors) and the first step. */
export function toGraph(list: readonly DraftStep[]): { steps: Step[]; start: string | null; index: Map<string, number> } {
  const steps: Step[] = [];
  const index = new Map<string, number>();
  const walk = (items: readonly DraftStep[]): string | null => {
    items.forEach((draft, i) => {
      const next = items[i + 1]?.id ?? null;
      const at = steps.length;
      index.set(draft.id, at);
      steps.push(null as unknown as Step);
      steps[at] = convert(draft, next, walk);
    });
    return items[0]?.id ?? null;
  };
  const start = walk(list);
  return { steps, start, index };
}

function convert(draft: DraftStep, next: string | null, walk: (items: readonly DraftStep[]) => string | null): Step {
  const amount = Number(draft.type === 'wait' || draft.type === 'wait_for_event' ? draft.amount : 0);
  switch (draft.type) {
    case 'wait':
      return draft.mode === 'duration'
        ? { id: draft.id, type: 'wait', duration: { amount, unit: draft.unit }, next }
        : { id: draft.id, type: 'wait', until: { time: draft.time, ...(draft.weekdays.length ? { weekdays: draft.weekdays } : {}) }, next };
    case 'wait_for_event':
      return { id: draft.id, type: 'wait_for_event', event: draft.event, timeout: { amount, unit: draft.unit }, onEvent: walk(draft.onEvent), onTimeout: walk(draft.onTimeout) };
    case 'branch':
      return { id: draft.id, type: 'branch', rules: toRule(draft.tree) as unknown as Record<string, unknown>, yes: walk(draft.yes), no: walk(draft.no) };
    case 'action': {
      const action = draft.action.type === 'update_traits' ? { type: 'update_traits' as const, traits: Object.fromEntries(Object.entries(draft.action.traits).filter(([key]) => key.trim() !== '')) } : draft.action;
      return { id: draft.id, type: 'action', action, next };
    }
    case 'exit':
      return { id: draft.id, type: 'exit' };
  }
}

/** Back from the API's graph, following edges from the start (a step reached twice is shown once). */
export function fromGraph(steps: readonly Step[], start: string | null | undefined): DraftStep[] {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const seen = new Set<string>();
  const list = (id: string | null | undefined): DraftStep[] => {
    const out: DraftStep[] = [];
    while (id && !seen.has(id)) {
      const step = byId.get(id);
      if (!step) break;
      seen.add(id);
      switch (step.type) {
        case 'wait':
          out.push({ id: step.id, type: 'wait', mode: step.until ? 'until' : 'duration', amount: String(step.duration?.amount ?? 1), unit: step.duration?.unit ?? 'days', time: step.until?.time ?? '09:00', weekdays: step.until?.weekdays ?? [] });
          id = step.next;
          break;
        case 'wait_for_event':
          out.push({ id: step.id, type: 'wait_for_event', event: step.event, amount: String(step.timeout.amount), unit: step.timeout.unit, onEvent: list(step.onEvent), onTimeout: list(step.onTimeout) });
          return out;
        case 'branch':
          out.push({ id: step.id, type: 'branch', tree: fromRule(step.rules as unknown as Rule), yes: list(step.yes), no: list(step.no) });
          return out;
        case 'action':
          out.push({ id: step.id, type: 'action', action: step.action });
          id = step.next;
          break;
        case 'exit':
          out.push({ id: step.id, type: 'exit' });
          return out;
      }
    }
    return out;
  };
  return list(start ?? steps[0]?.id);
}

/** Replaces the step with this id anywhere in the tree (null removes it). */
export function replaceStep(list: readonly DraftStep[], id: string, next: DraftStep | null): DraftStep[] {
  const out: DraftStep[] = [];
  for (const step of list) {
    if (step.id === id) {
      if (next) out.push(next);
      continue;
    }
    if (step.type === 'branch') out.push({ ...step, yes: replaceStep(step.yes, id, next), no: replaceStep(step.no, id, next) });
    else if (step.type === 'wait_for_event') out.push({ ...step, onEvent: replaceStep(step.onEvent, id, next), onTimeout: replaceStep(step.onTimeout, id, next) });
    else out.push(step);
  }
  return out;
}
