import type { JobRequest } from '../jobs/job-types.js';
import type { Automation } from './automation-types.js';
import { jobsForEvent, jobsForListAdd } from './ingest-triggers.js';
import { triggerIndexOf } from './trigger-index.js';

/**
 * Triggers for what a store writes by itself rather than through ingest: segment transitions
 * (`Segment Entered` / `Segment Exited`, written while re-evaluating membership) and list
 * additions. The store calls these inside the transaction that wrote the change, with
 * synchronous reads and a synchronous enqueue (SQLite), so the run's entry job commits with it.
 */
export interface AutomationTap {
  timelineEvent(projectId: string, personId: string, name: string, properties: Record<string, unknown>, messageId: string, at: number): void;
  listAdded(projectId: string, personIds: readonly string[], listId: string, at: number): void;
}

export function createAutomationTap(deps: { live(projectId: string): readonly Automation[]; enqueue(job: JobRequest, now: number): unknown }): AutomationTap {
  const enqueueAll = (jobs: JobRequest[], at: number): void => {
    for (const job of jobs) deps.enqueue(job, at);
  };
  return {
    timelineEvent(projectId, personId, name, properties, messageId, at) {
      const index = triggerIndexOf(deps.live(projectId));
      if (index.size === 0) return;
      enqueueAll(jobsForEvent(index, projectId, personId, { type: 'track', name, properties, messageId }, at), at);
    },
    listAdded(projectId, personIds, listId, at) {
      const index = triggerIndexOf(deps.live(projectId));
      if (index.size === 0) return;
      enqueueAll(jobsForListAdd(index, projectId, listId, personIds, `list:${listId}:${at}`, at), at);
    },
  };
}
