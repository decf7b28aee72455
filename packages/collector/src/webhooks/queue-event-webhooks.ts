import { createHash } from 'node:crypto';
import type { AfterStore } from '../ingest/write-events.js';
import type { NormalizedEvent } from '../store/types.js';
import { queueWebhookDelivery } from './queue-webhook-delivery.js';
import { webhooksFor, type SubscriptionSet } from './webhook-subscriptions.js';

/** The name a subscription matches: a track's event name, otherwise the event's type (`identify`, `page`, …). */
export const subscribedName = (event: NormalizedEvent): string => (event.type === 'track' && event.name ? event.name : event.type);

/** One delivery id per event × webhook, the same however often the event's batch is written again. */
export const eventDeliveryId = (webhookId: string, messageId: string): string => `evt_${createHash('sha256').update(`${webhookId}\n${messageId}`).digest('hex').slice(0, 32)}`;

/** The fields of a stored event a receiver gets. */
export type WebhookEventFields = Pick<NormalizedEvent, 'messageId' | 'type' | 'name' | 'userId' | 'anonymousId' | 'properties' | 'traits' | 'timestamp' | 'receivedAt'>;

/** What a receiver gets for a stored event. */
export function eventData(personId: string, event: WebhookEventFields): Record<string, unknown> {
  return {
    messageId: event.messageId,
    type: event.type,
    name: event.name,
    personId,
    userId: event.userId,
    anonymousId: event.anonymousId,
    properties: event.properties,
    traits: event.traits,
    timestamp: new Date(event.timestamp).toISOString(),
    receivedAt: new Date(event.receivedAt).toISOString(),
  };
}

/**
 * The AfterStore hook that turns each stored event some webhook subscribes to into delivery
 * jobs, inside the ingest transaction (`tx.jobs`): the delivery commits with the event, or not
 * at all, so nothing acknowledged is ever left undelivered. Built per batch from a snapshot of
 * the project's subscriptions read before the transaction, so the hook itself does no I/O but
 * the enqueue.
 */
export function queueEventWebhooks(subscriptions: SubscriptionSet): AfterStore {
  return async (tx, projectId, personId, event) => {
    const name = subscribedName(event);
    for (const webhookId of webhooksFor(subscriptions, name)) {
      await queueWebhookDelivery(tx.jobs, { projectId, webhookId, deliveryId: eventDeliveryId(webhookId, event.messageId), payload: eventData(personId, event), now: event.receivedAt, type: name });
    }
  };
}
