import { storedJsonOf } from '../ingest/normalize-event.js';
import type { Store } from '../store/store.js';
import type { NormalizedEvent } from '../store/types.js';
import { storeHarkEvent } from '../automations/store-hark-event.js';

/** An event Hark writes itself about an email, on the contact it was sent to. */
export interface EmailEvent {
  /** Derived from what happened (send × link × minute), so a repeat is a duplicate, not a second event. */
  messageId: string;
  name: 'Email Opened' | 'Email Clicked' | 'Email Unsubscribed';
  properties: Record<string, unknown>;
  /** The send's `Email Sent` event: the new event chains to it (context.hark parentId and rootId). */
  sentEventId: string | null;
  /** The chain's root when the send belongs to a longer chain (an automation run); else the Email Sent event is the root. */
  rootId?: string | null;
  at: number;
}

/**
 * Stores an email event on a person known by id (the send names them; they may have no
 * anonymous or user id to resolve, e.g. an imported lead), in one unit of work, chained to the
 * send (DESIGN §9). Follows merges. Answers false when it was already recorded or the person is
 * gone (erased): both mean there is nothing more to write.
 */
export async function recordEmailEvent(store: Store, projectId: string, personId: string, event: EmailEvent): Promise<boolean> {
  const person = await store.getPerson(projectId, personId);
  if (!person) return false;
  const chain = event.sentEventId ? { parentId: event.sentEventId, rootId: event.rootId ?? event.sentEventId } : null;
  // context.hark as on the wire (docs/API.md), and the columns the chain reads (events.parent_id, root_id).
  const context = chain ? { hark: chain } : {};
  const device = { browser: null, browserVersion: null, os: null, osVersion: null, type: 'email' };
  const normalized: NormalizedEvent = {
    messageId: event.messageId,
    type: 'track',
    name: event.name,
    anonymousId: null,
    userId: person.userId,
    groupId: null,
    previousId: null,
    properties: event.properties,
    traits: {},
    context,
    email: null,
    verified: true,
    device,
    stored: storedJsonOf({ properties: event.properties, traits: {}, context, device }),
    timestamp: event.at,
    sentAt: null,
    receivedAt: event.at,
    parentId: chain?.parentId ?? null,
    rootId: chain?.rootId ?? null,
  };
  return store.transact(1, async (tx) => {
    if ((await tx.events.stored(projectId, [event.messageId])).size > 0) return false;
    if (!(await tx.people.get(person.id))) return false;
    await storeHarkEvent(store, tx, projectId, person.id, normalized);
    return true;
  });
}
