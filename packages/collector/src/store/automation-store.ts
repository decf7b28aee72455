import type { Automation, AutomationInput, AutomationRun, RunStatus } from '../automations/automation-types.js';
import type { Io } from './ports.js';
import type { Page, PageQuery } from './types.js';

/** An automation in a list, with how many runs it has in each state. */
export interface AutomationSummary extends Automation {
  runs: { total: number; active: number; waiting: number; finished: number; exited: number; failed: number; conversions: number };
}

/** Per step: entered, waiting there now, passed on, and per outgoing edge (yes/no, onEvent/onTimeout). */
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
  /** Email steps only (automations/email-goal-counts.ts): runs it sent to, and how many of them then converted. */
  email?: { sent: number; conversions: number | null };
}

/** A run passing a step (a step-log edge), with how the run has ended so far. */
export interface StepPass {
  runId: string;
  stepId: string;
  at: number;
  reason: string | null;
  finishedAt: number | null;
}

/** An event in a run's chain (its root_id is the run's root). */
export interface RunChainEvent {
  runId: string;
  timestamp: number;
  properties: Record<string, unknown>;
}

/** What a step commit writes to a run (fields left out stay). */
export type RunPatch = Partial<Pick<AutomationRun, 'status' | 'stepId' | 'visit' | 'reason' | 'waitingFor'>> & { finishedAt?: number | null };

/**
 * The rows a run's step writes. A step writes through the unit of work's `tx.runs` (ports.ts),
 * so its run row lands in the same transaction as the jobs and timeline events queued there: a
 * step, its next job and its events commit together or not at all, on either store.
 * `store.automations.runs` is the same repository outside a unit, for reads and lone writes.
 */
export interface AutomationRunRepository {
  get(projectId: string, runId: string): Io<AutomationRun | null>;
  /**
   * Runs of this automation for this person (aliases included): ever, and not yet ended. Inside a
   * unit of work a store with several writers holds this automation × person to COMMIT, so an
   * entry decided on the count cannot race another (postgres-automation-runs.ts).
   */
  countFor(projectId: string, automationId: string, personId: string): Io<{ ever: number; open: number }>;
  insert(projectId: string, run: { id: string; automationId: string; personId: string; stepId: string | null; visit: number; rootId: string; at: number }): Io<void>;
  update(projectId: string, runId: string, patch: RunPatch): Io<void>;
  /** Runs not ended (active, waiting) of this person, aliases included. */
  openFor(projectId: string, personId: string): Io<AutomationRun[]>;
  /** Runs parked because their automation was paused (status waiting, reason 'paused'). */
  parked(projectId: string, automationId: string): Io<AutomationRun[]>;
  /** One line of a step's history (`outcome`: entered, or the edge taken); once per run × visit × outcome. */
  log(projectId: string, automationId: string, runId: string, visit: number, stepId: string, outcome: string, at: number): Io<void>;
  /** The last kind automations saw the person as (for kind-change triggers); null when never seen. */
  knownKind(projectId: string, personId: string): Io<string | null>;
  setKnownKind(projectId: string, personId: string, kind: string): Io<void>;
  /** An automation showed message `messageId` to the person: it is eligible for them once from then on. */
  grantMessage(projectId: string, messageId: string, personId: string, runId: string, at: number): Io<void>;
}

export interface RunQuery extends PageQuery {
  status?: RunStatus;
}

/** Automations and their runs (DESIGN §9). Exposed as `store.automations`. */
export interface AutomationStore {
  create(projectId: string, input: AutomationInput, now: number): Promise<Automation>;
  get(projectId: string, id: string): Promise<Automation | null>;
  /** Newest first, with run counts. */
  list(projectId: string, query: PageQuery): Promise<Page<AutomationSummary>>;
  /** Replaces the definition (validated whole by the caller). */
  update(projectId: string, id: string, input: AutomationInput, now: number): Promise<Automation | null>;
  /** Deletes the automation and its runs; their pending jobs find no run and do nothing. */
  remove(projectId: string, id: string): Promise<boolean>;
  /** The live automations, cached until one changes (read on every ingest batch). */
  live(projectId: string): Promise<readonly Automation[]>;
  readonly runs: AutomationRunRepository;
  listRuns(projectId: string, automationId: string, query: RunQuery): Promise<Page<AutomationRun>>;
  runsForPerson(projectId: string, personId: string): Promise<(AutomationRun & { automationName: string })[]>;
  stats(projectId: string, automationId: string): Promise<AutomationStats>;
  /** Every time a run of this automation passed one of these steps, oldest first. */
  stepPasses(projectId: string, automationId: string, stepIds: readonly string[]): Promise<StepPass[]>;
  /** The events named `name` in the chains of this automation's runs (events.root_id = the run's root). */
  runChainEvents(projectId: string, automationId: string, name: string): Promise<RunChainEvent[]>;
  /** When an automation last granted each of these messages to the person (aliases included). */
  messageGrants(projectId: string, personId: string, messageIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
