import { normalizeEvent } from '../../ingest/normalize-event.js';
import { storeEvents } from '../../ingest/store-events.js';
import type { Store } from '../store.js';

let sequence = 0;

/**
 * People for a contract test, made the way ingest makes them (normalisation and the write path),
 * so a store is tested on the rows it really holds. Answers the person's id.
 */
export async function identifyPerson(store: Store, projectId: string, fields: { userId?: string; anonymousId?: string; traits?: Record<string, unknown> }, at: number): Promise<string> {
  const result = normalizeEvent({ type: 'identify', messageId: `people-${++sequence}-${at}`, timestamp: new Date(at).toISOString(), ...fields }, { receivedAt: at, sentAt: null, context: null, userAgent: null });
  if (!result.ok) throw new Error(result.message);
  const [outcome] = await storeEvents(store, projectId, [result.event]);
  if (outcome?.status !== 'stored') throw new Error(`identify was not stored: ${JSON.stringify(outcome)}`);
  const lookup = fields.userId !== undefined ? { userId: fields.userId } : { anonymousId: fields.anonymousId! };
  return (await store.lookupPerson(projectId, lookup))!.id;
}
