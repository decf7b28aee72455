import { createHash, randomUUID } from 'node:crypto';
import type { MappedEvent } from './hook-mapping.js';

/**
 * The wire events one inbound delivery becomes (pure): a `track` named by the mapping, preceded by
 * an `identify` when traits were mapped (only identify applies traits on the write path). With a
 * source id, messageIds are derived from source × id, so a repeated delivery is a duplicate;
 * without one, each delivery is new.
 *
 * `anonymousId` is what the contact is reached by when the payload named no userId/anonymousId:
 * the caller passes an id the email's contact already has, or a stable one made from the email.
 */
export function hookWireEvents(source: { id: string; name: string }, mapped: MappedEvent, anonymousId: string | null, at: number): { track: Record<string, unknown>; events: Record<string, unknown>[] } {
  const base = mapped.sourceId === null ? `hook_${randomUUID()}` : `hook_${createHash('sha256').update(`${source.id}\u0000${mapped.sourceId}`).digest('hex').slice(0, 40)}`;
  const ids = {
    ...(mapped.userId ? { userId: mapped.userId } : {}),
    ...(mapped.anonymousId ?? anonymousId ? { anonymousId: mapped.anonymousId ?? anonymousId } : {}),
  };
  // context.hook names the source: the console's channel filter calls these "webhook".
  const context = { hook: { sourceId: source.id, name: source.name }, ...(mapped.email ? { traits: { email: mapped.email } } : {}) };
  const timestamp = new Date(at).toISOString();
  const track = { type: 'track', messageId: base, event: mapped.event, properties: mapped.properties, context, timestamp, ...ids };
  const traits = { ...mapped.traits, ...(mapped.email ? { email: mapped.email } : {}) };
  const events = Object.keys(mapped.traits).length ? [{ type: 'identify', messageId: `${base}_identify`, traits, context, timestamp, ...ids }, track] : [track];
  return { track, events };
}

/** The anonymous id a contact known only by email is reached by, the same for every delivery. */
export const emailAnonymousId = (email: string): string => `hook_email_${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}`;

/** A source's token: random, prefixed so it is easy to spot in logs; stored only as its SHA-256. */
export const hashHookToken = (token: string): string => createHash('sha256').update(token).digest('hex');
