import type { NormalizedEvent } from '../store/types.js';
import type { EmailSend } from '../store/email-store.js';
import type { Store } from '../store/store.js';
import { storeHarkEvent } from '../automations/store-hark-event.js';

export const EMAIL_SENT = 'Email Sent';

/** The event's messageId: one per send, so writing it again (a re-run) stores nothing new. */
export const emailSentMessageId = (sendId: string): string => `email-sent-${sendId}`;

/**
 * Writes `Email Sent` on the person's timeline, chained (context.hark.rootId/parentId) when the
 * caller gave a chain. Deduplicated on its messageId like any event. No person, no event: a send
 * to a bare address that matches no contact has only its send row.
 */
export async function recordEmailSent(store: Store, send: EmailSend, at: number): Promise<void> {
  if (!send.personId) return;
  const properties = {
    sendId: send.id,
    messageId: send.messageId,
    subject: send.subject,
    to: send.to,
    from: send.from,
    transactional: send.transactional,
    ...(send.templateId ? { templateId: send.templateId } : {}),
  };
  const hark = { ...(send.rootId ? { rootId: send.rootId } : {}), ...(send.parentId ? { parentId: send.parentId } : {}), sendId: send.id };
  const context = { hark } as unknown as NormalizedEvent['context'];
  const device = { browser: null, browserVersion: null, os: null, osVersion: null, type: 'server' };
  const event: NormalizedEvent = {
    messageId: emailSentMessageId(send.id),
    type: 'track',
    name: EMAIL_SENT,
    anonymousId: null,
    userId: null,
    groupId: null,
    previousId: null,
    properties,
    traits: {},
    context,
    email: null,
    verified: true,
    device,
    stored: { properties: JSON.stringify(properties), traits: '{}', context: JSON.stringify(context), device: JSON.stringify(device) },
    timestamp: at,
    sentAt: null,
    receivedAt: at,
    // The chain columns (events.parent_id/root_id) as context.hark says; a root left null is the parent's (chain-root.ts).
    parentId: send.parentId ?? send.rootId,
    rootId: send.rootId,
  };
  // The person may have been merged since the request: getPerson follows the merge.
  const person = await store.getPerson(send.projectId, send.personId);
  if (!person) return;
  const written = await store.transact(1, async (tx) => {
    if ((await tx.events.stored(send.projectId, [event.messageId])).size > 0) return true;
    if (!(await tx.people.get(person.id))) return false;
    await storeHarkEvent(store, tx, send.projectId, person.id, event);
    return true;
  });
  // Opens and clicks chain to this event (the content side reads it through the send lookup).
  if (written) await store.emails.setSentEvent(send.projectId, send.id, event.messageId);
}
