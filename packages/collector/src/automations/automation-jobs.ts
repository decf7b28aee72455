import type { JobRequest } from '../jobs/job-types.js';
import type { NormalizedEvent } from '../store/types.js';
import { runIdFor } from './trigger-index.js';

/** The job kinds automations run (handlers in run-automation.ts). */
export const AUTOMATION_STEP_JOB = 'automation.step';
export const AUTOMATION_EVENT_JOB = 'automation.event';
/** The pseudo step of a run's entry job (the entry rule is decided when it runs). */
export const ENTRY_STEP = '$entry';

export interface StepPayload {
  automationId: string;
  runId: string;
  personId: string;
  stepId: string;
  visit: number;
  /** The event that started the run; null for people queued by hand (their entry event is the root). */
  rootId: string | null;
  /** A wait's second half: `resume` after a wait, `timeout` of a wait_for_event. */
  phase?: 'resume' | 'timeout';
}

export interface EventPayload {
  personId: string;
  name: string | null;
  messageId: string;
  properties: Record<string, unknown>;
  /** The person's kind after the event, when a kind-change trigger is live. */
  kind?: string;
}

/** The job that may start a run: queued in the same transaction as the event that triggers it. */
export function entryJob(projectId: string, automationId: string, personId: string, origin: { rootId: string } | { queueId: string }, now: number): JobRequest {
  const runId = runIdFor(automationId, 'rootId' in origin ? origin.rootId : `queue:${origin.queueId}`, personId);
  const payload: StepPayload = { automationId, runId, personId, stepId: ENTRY_STEP, visit: 0, rootId: 'rootId' in origin ? origin.rootId : null };
  return { projectId, kind: AUTOMATION_STEP_JOB, key: `${runId}:${ENTRY_STEP}:0`, runAt: now, payload };
}

/** A run's step job, keyed run × step × visit: one job, and one execution, per place in the run. */
export function stepJob(projectId: string, run: { id: string; automationId: string; personId: string; rootId: string }, stepId: string, visit: number, runAt: number, phase?: 'resume' | 'timeout'): JobRequest {
  const payload: StepPayload = { automationId: run.automationId, runId: run.id, personId: run.personId, stepId, visit, rootId: run.rootId, ...(phase ? { phase } : {}) };
  return { projectId, kind: AUTOMATION_STEP_JOB, key: `${run.id}:${stepId}:${visit}`, runAt, payload };
}

/** An event some run may wait for or exit on (goal, segment left, kind change); one job per event. */
export function eventJob(projectId: string, personId: string, event: Pick<NormalizedEvent, 'messageId' | 'name' | 'properties'>, now: number, kind?: string): JobRequest {
  const payload: EventPayload = { personId, name: event.name, messageId: event.messageId, properties: event.properties, ...(kind ? { kind } : {}) };
  return { projectId, kind: AUTOMATION_EVENT_JOB, key: event.messageId, runAt: now, payload };
}
