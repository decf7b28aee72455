import type { Rule } from '../rules/index.js';

/**
 * The automation model (DESIGN §9). Plain JSON, stored whole and validated whole
 * (validate-automation.ts); docs/AUTOMATIONS.md is the reference with examples.
 */
export type AutomationStatus = 'draft' | 'live' | 'paused' | 'archived';
export const AUTOMATION_STATUSES = ['draft', 'live', 'paused', 'archived'] as const;

/** Property conditions use the rule engine's shape (`{ property, op, value }`). */
export interface PropertyCondition {
  property: string;
  op: 'equals' | 'not_equals' | 'contains' | 'starts_with' | 'exists' | 'not_exists' | 'gt' | 'gte' | 'lt' | 'lte';
  value?: string | number | boolean;
}

export type Trigger =
  /** A tracked event (an inbound webhook is one too: its mapping names the event). */
  | { type: 'event'; event: string; where?: PropertyCondition[] }
  | { type: 'segment_entered'; segment: string }
  | { type: 'segment_exited'; segment: string }
  | { type: 'list_added'; list: string }
  | { type: 'kind_changed'; from?: 'visitor' | 'lead' | 'user'; to: 'lead' | 'user' }
  /** `grade` compares the survey grade (1–5), e.g. `{ op: 'lte', value: 2 }`. */
  | { type: 'message_answered'; message: string; grade?: { op: 'lte' | 'gte' | 'equals'; value: number } }
  /** Only people added with `POST /api/v1/automations/:id/queue` enter. */
  | { type: 'manual' };
export const TRIGGER_TYPES = ['event', 'segment_entered', 'segment_exited', 'list_added', 'kind_changed', 'message_answered', 'manual'] as const;

/** once: once per person ever; one_at_a_time: again only after the last run ended; every_time. */
export type EntryRule = 'once' | 'one_at_a_time' | 'every_time';
export const ENTRY_RULES = ['once', 'one_at_a_time', 'every_time'] as const;

/** When a run stops early: a goal event (a conversion), or leaving a segment. */
export interface ExitRules {
  goal?: { event: string; where?: PropertyCondition[] } | null;
  leftSegment?: string | null;
}

export type WaitStep =
  | { id: string; type: 'wait'; duration: { amount: number; unit: 'seconds' | 'minutes' | 'hours' | 'days' }; next?: string | null }
  /**
   * Until the next local time `time` ("HH:MM") on one of `weekdays` (0 = Sunday; all when left
   * out), in the person's `timezone` trait, else the zone of their last located city, else the project's, else UTC.
   */
  | { id: string; type: 'wait'; until: { time: string; weekdays?: number[] }; next?: string | null };

export interface WaitForEventStep {
  id: string;
  type: 'wait_for_event';
  event: string;
  where?: PropertyCondition[];
  timeout: { amount: number; unit: 'seconds' | 'minutes' | 'hours' | 'days' };
  /** Where the run goes when the event came first, and when the timeout did. */
  onEvent?: string | null;
  onTimeout?: string | null;
}

export interface BranchStep {
  id: string;
  type: 'branch';
  rules: Rule;
  yes?: string | null;
  no?: string | null;
}

export type Action =
  | { type: 'show_message'; message: string }
  | { type: 'update_traits'; traits: Record<string, string | number | boolean | null> }
  | { type: 'add_to_list'; list: string }
  | { type: 'remove_from_list'; list: string }
  | { type: 'webhook'; webhook: string }
  | { type: 'email'; templateId: string };
export const ACTION_TYPES = ['show_message', 'update_traits', 'add_to_list', 'remove_from_list', 'webhook', 'email'] as const;

export interface ActionStep {
  id: string;
  type: 'action';
  action: Action;
  next?: string | null;
}

export interface ExitStep {
  id: string;
  type: 'exit';
}

export type Step = WaitStep | WaitForEventStep | BranchStep | ActionStep | ExitStep;
export const STEP_TYPES = ['wait', 'wait_for_event', 'branch', 'action', 'exit'] as const;

/** What the API takes (and PATCH merges over the stored one). */
export interface AutomationInput {
  name: string;
  status: AutomationStatus;
  trigger: Trigger;
  entry: EntryRule;
  exit: ExitRules;
  /** The first step the run takes; null/absent: the first of `steps`. */
  start?: string | null;
  steps: Step[];
}

export interface Automation extends AutomationInput {
  id: string;
  projectId: string;
  createdAt: string;
  updatedAt: string;
}

export type RunStatus = 'active' | 'waiting' | 'finished' | 'exited' | 'failed';
export const RUN_STATUSES = ['active', 'waiting', 'finished', 'exited', 'failed'] as const;

export interface AutomationRun {
  id: string;
  automationId: string;
  personId: string;
  status: RunStatus;
  /** The step the run is at (waiting in, or about to run); null once it ended. */
  stepId: string | null;
  /** How many steps the run has taken: with the step id, the key of its current job. */
  visit: number;
  reason: string | null;
  /** The messageId of the event that started the run (context.hark.rootId of every step's events). */
  rootId: string;
  /** While waiting for an event: the id of the wait_for_event step and when it times out. */
  waitingFor: { event: string; until: number } | null;
  enteredAt: string;
  finishedAt: string | null;
}
