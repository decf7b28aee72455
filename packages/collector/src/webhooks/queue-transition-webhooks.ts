import type { JobRequest } from '../jobs/job-types.js';
import type { Io } from '../store/ports.js';
import { eventData, eventDeliveryId } from './queue-event-webhooks.js';
import { queueWebhookDelivery } from './queue-webhook-delivery.js';
import { NO_SUBSCRIPTIONS, webhooksFor, type WebhookSubscriptions } from './webhook-subscriptions.js';

/** A `Segment Entered` / `Segment Exited` the store wrote on a person's timeline. */
export interface TimelineTransition {
  projectId: string;
  personId: string;
  name: string;
  properties: Record<string, unknown>;
  messageId: string;
  at: number;
}

/**
 * Queues the deliveries of the webhooks subscribed to a segment transition, on the jobs of the
 * transaction that wrote it (so the delivery commits with the membership change, or neither
 * does): the path ingest and storeHarkEvent take for the events they store, for the events the
 * audience repositories write themselves. Both stores call it from their timeline hook.
 */
export async function queueTransitionWebhooks(
  subscriptions: WebhookSubscriptions,
  jobs: { enqueue(job: JobRequest, now: number): Io<{ id: string; created: boolean }> },
  t: TimelineTransition,
): Promise<void> {
  const set = await subscriptions.forProject(t.projectId);
  if (set === NO_SUBSCRIPTIONS) return;
  const event = { messageId: t.messageId, type: 'track' as const, name: t.name, userId: null, anonymousId: null, properties: t.properties, traits: {}, timestamp: t.at, receivedAt: t.at };
  for (const webhookId of webhooksFor(set, t.name)) {
    await queueWebhookDelivery(jobs, { projectId: t.projectId, webhookId, deliveryId: eventDeliveryId(webhookId, t.messageId), payload: eventData(t.personId, event), now: t.at, type: t.name });
  }
}
