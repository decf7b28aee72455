import type { JobRequest } from '../jobs/job-types.js';
import type { JobQueue } from '../store/ports.js';
import type { Automation } from './automation-types.js';
import { jobsForEvent, jobsForListAdd } from './ingest-triggers.js';
import { triggerIndexOf } from './trigger-index.js';

/**
 * Triggers for what a store writes by itself rather than through ingest: segment transitions
 * (`Segment Entered` / `Segment Exited`, written while re-evaluating membership) and list
 * additions. The store calls these inside the transaction that wrote the change, so the run's
 * entry job commits with it. SQLite's statements are synchronous and its tap is too
 * (createAutomationTap); PostgreSQL's store passes the transaction's own job queue and live
 * automations read on each call, and awaits (createAsyncAutomationTap). Both queue the same jobs.
 */
export interface AutomationTap {
  timelineEvent(projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number): void;
  listAdded(projectId: string, personIds: readonly string[], listId: string, at: number): void;
}

/**
 * The transaction a PostgreSQL tap call runs in: its job queue, and the live automations read
 * through it (a cache hit, or a read on the same client: a transaction waiting on the pool for a
 * second connection could wait forever once every connection is such a transaction).
 */
export interface TapUnit {
  jobs: JobQueue;
  live(projectId: string): Promise<readonly Automation[]>;
}

/** The tap of a store whose reads are promises: the unit is passed with each call. */
export interface AsyncAutomationTap {
  timelineEvent(unit: TapUnit, projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number): Promise<void>;
  listAdded(unit: TapUnit, projectId: string, personIds: readonly string[], listId: string, at: number): Promise<void>;
}

const jobsForTimelineEvent = (live: readonly Automation[], projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number): JobRequest[] => {
  const index = triggerIndexOf(live);
  return index.size === 0 ? [] : jobsForEvent(index, projectId, personId, { type: 'track', name, properties, messageId }, at);
};

const jobsForList = (live: readonly Automation[], projectId: string, personIds: readonly string[], listId: string, at: number): JobRequest[] => {
  const index = triggerIndexOf(live);
  return index.size === 0 ? [] : jobsForListAdd(index, projectId, listId, personIds, `list:${listId}:${at}`, at);
};

export function createAutomationTap(deps: { live(projectId: string): readonly Automation[]; enqueue(job: JobRequest, now: number): unknown }): AutomationTap {
  const enqueueAll = (jobs: JobRequest[], at: number): void => {
    for (const job of jobs) deps.enqueue(job, at);
  };
  return {
    timelineEvent: (projectId, personId, name, properties, messageId, at) =>
      enqueueAll(jobsForTimelineEvent(deps.live(projectId), projectId, personId, name, properties, messageId, at), at),
    listAdded: (projectId, personIds, listId, at) => enqueueAll(jobsForList(deps.live(projectId), projectId, personIds, listId, at), at),
  };
}

export function createAsyncAutomationTap(): AsyncAutomationTap {
  const enqueueAll = async (queue: JobQueue, jobs: JobRequest[], at: number): Promise<void> => {
    for (const job of jobs) await queue.enqueue(job, at);
  };
  return {
    timelineEvent: async (unit, projectId, personId, name, properties, messageId, at) =>
      enqueueAll(unit.jobs, jobsForTimelineEvent(await unit.live(projectId), projectId, personId, name, properties, messageId, at), at),
    listAdded: async (unit, projectId, personIds, listId, at) => enqueueAll(unit.jobs, jobsForList(await unit.live(projectId), projectId, personIds, listId, at), at),
  };
}
