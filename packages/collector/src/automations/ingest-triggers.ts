import type { JobRequest } from '../jobs/job-types.js';
import type { AfterStore } from '../ingest/write-events.js';
import type { NormalizedEvent } from '../store/types.js';
import { entryJob, eventJob } from './automation-jobs.js';
import type { TriggerIndex } from './trigger-index.js';

/**
 * The jobs one stored event causes (pure): an entry job per automation it starts, and one event
 * job when a run may wait for it or exit on it. Nothing when no live automation names it.
 */
export function jobsForEvent(index: TriggerIndex, projectId: string, personId: string, event: Pick<NormalizedEvent, 'messageId' | 'name' | 'properties' | 'type'>, now: number, kind?: string): JobRequest[] {
  if (index.size === 0) return [];
  const jobs: JobRequest[] = [];
  let watched = kind !== undefined;
  if (event.type === 'track' && event.name !== null) {
    const match = index.match(event.name, event.properties);
    for (const automationId of match.enter) jobs.push(entryJob(projectId, automationId, personId, { rootId: event.messageId }, now));
    watched ||= match.watched;
  }
  if (watched) jobs.push(eventJob(projectId, personId, event, now, kind));
  return jobs;
}

/** People added to a list start the automations whose trigger is that list (rooted at the addition). */
export function jobsForListAdd(index: TriggerIndex, projectId: string, listId: string, personIds: readonly string[], rootId: string, now: number): JobRequest[] {
  if (index.size === 0) return [];
  return index.listAdded(listId).flatMap((automationId) => personIds.map((personId) => entryJob(projectId, automationId, personId, { rootId: `${rootId}:${personId}` }, now)));
}

/**
 * The ingest hook: queues the jobs an event causes with `tx.jobs.enqueue`, inside the event's
 * own transaction, so a crash can never keep the event and lose the run it starts (or the
 * reverse). Only built when the project has a live automation (ingest-events.ts).
 */
export function automationTriggers(index: TriggerIndex): AfterStore {
  return async (tx, projectId, personId, event) => {
    const kind = index.watchesKinds && (event.type === 'identify' || event.email !== null) ? (await tx.people.get(personId))?.kind : undefined;
    for (const job of jobsForEvent(index, projectId, personId, event, event.receivedAt, kind)) await tx.jobs.enqueue(job, event.receivedAt);
  };
}
