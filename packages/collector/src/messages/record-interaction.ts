import { MESSAGE_EVENTS } from '@hark/protocol';
import type { IngestTx, Interaction } from '../store/ports.js';
import type { NormalizedEvent } from '../store/types.js';
import { deliveryIdFor } from './delivery-id.js';
import { readAnswer, type Answer } from './read-answer.js';

const INTERACTION_OF: ReadonlyMap<string, Interaction> = new Map([
  [MESSAGE_EVENTS.shown, 'shown'],
  [MESSAGE_EVENTS.clicked, 'clicked'],
  [MESSAGE_EVENTS.dismissed, 'dismissed'],
  [MESSAGE_EVENTS.answered, 'answered'],
]);

/**
 * Applies one stored event to deliveries when it is a message interaction (DESIGN §3). Runs in
 * the ingest unit of work right after the event row is written, and only then: a duplicate
 * never counts twice.
 */
export async function recordInteraction(tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent): Promise<void> {
  const interaction = event.type === 'track' && event.name !== null ? INTERACTION_OF.get(event.name) : undefined;
  if (!interaction) return;
  const messageId = event.properties.messageId;
  if (typeof messageId !== 'string') return;
  const kind = await tx.deliveries.messageKind(projectId, messageId);
  if (!kind) return;

  let answer: Answer | undefined;
  if (interaction === 'answered') {
    const read = readAnswer(kind, event.properties);
    if (!read) return;
    answer = read;
  }
  const deliveryId = await deliveryFor(tx, projectId, personId, messageId, interaction, event);
  if (deliveryId) await tx.deliveries.record(deliveryId, interaction, event.timestamp, answer);
}

/** The delivery an event may write to: the one it names, or (without one) one this person owns. */
async function deliveryFor(tx: IngestTx, projectId: string, personId: string, messageId: string, interaction: Interaction, event: NormalizedEvent): Promise<string | null> {
  const { deliveries } = tx;
  const named = event.properties.deliveryId;
  if (typeof named === 'string' && named.length > 0 && named.length <= 128) {
    const owner = await deliveries.owner(named);
    if (!owner) {
      await deliveries.insert(named, projectId, messageId, personId, event.timestamp);
      return named;
    }
    // Someone else's delivery (or another message's): refuse rather than move it.
    return owner.projectId === projectId && owner.messageId === messageId && owner.personId === personId ? named : null;
  }
  // Senders without delivery ids (server-side libraries): a showing opens a new occasion,
  // anything else lands on the latest one.
  if (interaction !== 'shown') {
    const latest = await deliveries.latest(projectId, messageId, personId);
    if (latest) return latest;
  }
  const id = deliveryIdFor(projectId, messageId, personId, await deliveries.count(projectId, messageId, personId));
  if (await deliveries.owner(id)) return id;
  await deliveries.insert(id, projectId, messageId, personId, event.timestamp);
  return id;
}
