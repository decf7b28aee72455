/** The admin API's automation shapes (docs/AUTOMATIONS.md), as the console reads and writes them. */
export type AutomationStatus = 'draft' | 'live' | 'paused' | 'archived';
export type EntryRule = 'once' | 'one_at_a_time' | 'every_time';
export type Unit = 'seconds' | 'minutes' | 'hours' | 'days';

export interface PropertyCondition {
  property: string;
  op: string;
  value?: string | number | boolean;
}

export type Trigger =
  | { type: 'event'; event: string; where?: PropertyCondition[] }
  | { type: 'segment_entered' | 'segment_exited'; segment: string }
  | { type: 'list_added'; list: string }
  | { type: 'kind_changed'; from?: string; to: string }
  | { type: 'message_answered'; message: string; grade?: { op: 'lte' | 'gte' | 'equals'; value: number } }
  | { type: 'manual' };

export type Action =
  | { type: 'show_message'; message: string }
  | { type: 'update_traits'; traits: Record<string, string | number | boolean | null> }
  | { type: 'add_to_list' | 'remove_from_list'; list: string }
  | { type: 'webhook'; webhook: string }
  | { type: 'email'; templateId: string };

export type Step =
  | { id: string; type: 'wait'; duration?: { amount: number; unit: Unit }; until?: { time: string; weekdays?: number[] }; next?: string | null }
  | { id: string; type: 'wait_for_event'; event: string; timeout: { amount: number; unit: Unit }; onEvent?: string | null; onTimeout?: string | null }
  | { id: string; type: 'branch'; rules: Record<string, unknown>; yes?: string | null; no?: string | null }
  | { id: string; type: 'action'; action: Action; next?: string | null }
  | { id: string; type: 'exit' };

export interface AutomationBody {
  name: string;
  status: AutomationStatus;
  trigger: Trigger;
  entry: EntryRule;
  exit: { goal?: { event: string } | null; leftSegment?: string | null };
  start?: string | null;
  steps: Step[];
}

export interface Automation extends AutomationBody {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface AutomationSummary extends Automation {
  runs: { total: number; active: number; waiting: number; finished: number; exited: number; failed: number; conversions: number };
}

export interface AutomationRun {
  id: string;
  automationId: string;
  personId: string;
  status: 'active' | 'waiting' | 'finished' | 'exited' | 'failed';
  stepId: string | null;
  reason: string | null;
  enteredAt: string;
  finishedAt: string | null;
}

export interface AutomationStats {
  entered: number;
  conversions: number;
  steps: Record<string, StepStats>;
}

export interface StepStats {
  entered: number;
  waiting: number;
  passed: number;
  edges: Record<string, number>;
  /** Email steps: runs it sent to, and how many of them then reached the goal (null: no goal set). */
  email?: { sent: number; conversions: number | null };
}
