import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/api-error.js';
import { normalizeEmail } from '../identity/email.js';
import type { Store } from '../store/store.js';
import type { Automation } from './automation-types.js';
import { entryJob } from './automation-jobs.js';

/** People one queue request may add (a list or segment larger than this answers 400: queue it in parts). */
export const MAX_QUEUE = 50_000;
const PAGE = 200;

export interface QueueRequest {
  personIds?: string[];
  emails?: string[];
  listId?: string;
  segmentId?: string;
}

/**
 * Adds people to an automation by hand (DESIGN §9 "its queue"): by id, email, a list or a
 * segment. Each gets an entry job, queued in transactions of up to 500, so the entry rule decides
 * as for any trigger; answers how many were queued and which ids/emails were not found.
 */
export async function queuePeople(store: Store, automation: Automation, request: QueueRequest, now: number): Promise<{ queued: number; missing: string[] }> {
  const projectId = automation.projectId;
  const people = new Set<string>();
  const missing: string[] = [];
  if (request.personIds?.length || request.emails?.length) {
    const refs = [...(request.personIds ?? []).map((id) => ({ id })), ...(request.emails ?? []).map((email) => ({ email: normalizeEmail(email) }))];
    const names = [...(request.personIds ?? []), ...(request.emails ?? [])];
    const found = await store.lists.resolvePeople(projectId, refs);
    found.personIds.forEach((id) => people.add(id));
    for (const i of found.missing) missing.push(names[i]!);
  }
  const page = async (read: (cursor: string | null) => Promise<{ items: { id: string }[]; nextCursor: string | null }>): Promise<void> => {
    let cursor: string | null = null;
    do {
      const result = await read(cursor);
      for (const person of result.items) people.add(person.id);
      if (people.size > MAX_QUEUE) throw new ApiError(400, 'too_many_people', `At most ${MAX_QUEUE} people can be queued at once.`);
      cursor = result.nextCursor;
    } while (cursor);
  };
  if (request.listId) {
    if (!(await store.lists.get(projectId, request.listId))) throw new ApiError(400, 'invalid_fields', 'No list has this id.', { listId: 'must be the id of a list' });
    await page((cursor) => store.lists.people(projectId, request.listId!, { limit: PAGE, cursor }));
  }
  if (request.segmentId) {
    if (!(await store.segments.get(projectId, request.segmentId))) throw new ApiError(400, 'invalid_fields', 'No segment has this id.', { segmentId: 'must be the id of a segment' });
    await page((cursor) => store.segments.people(projectId, request.segmentId!, { limit: PAGE, cursor }));
  }
  const queueId = randomUUID();
  const ids = [...people];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await store.transact(chunk.length, async (tx) => {
      for (const personId of chunk) await tx.jobs.enqueue(entryJob(projectId, automation.id, personId, { queueId }, now), now);
    });
  }
  return { queued: ids.length, missing };
}
