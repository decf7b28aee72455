import type { JobRequest } from '../jobs/job-types.js';
import type { Io } from '../store/ports.js';

/** The job kind of an outbound webhook delivery (handled by webhookJobHandlers). */
export const WEBHOOK_DELIVER = 'webhook.deliver';

/** What a delivery job carries: the body is fixed when queued, so every retry sends the same bytes. */
export interface WebhookDeliveryPayload {
  webhookId: string;
  deliveryId: string;
  /** The JSON text POSTed (the envelope below). */
  body: string;
}

/** The JSON a receiver gets. `id` is the delivery id, also in `Hark-Webhook-Id`: dedupe by it. */
export interface WebhookEnvelope {
  id: string;
  /** The event name for event subscriptions, `automation.webhook` from an automation step, `webhook.test`. */
  type: string;
  createdAt: string;
  data: unknown;
}

/**
 * The job key of a delivery: unique per webhook, and ordered under the webhook's id, so the
 * delivery log of one subscription is a range of the jobs' (project, kind, key) index.
 */
export const deliveryJobKey = (webhookId: string, deliveryId: string): string => `${webhookId}:${deliveryId}`;
export const deliveryKeyRange = (webhookId: string): { from: string; to: string } => ({ from: `${webhookId}:`, to: `${webhookId};` });

/** Deliveries retry for about a day and a half with the default backoff (5 s doubling to 1 h). */
export const WEBHOOK_MAX_ATTEMPTS = 12;

/**
 * Queues one delivery of `payload` to a webhook, as a durable job (key = webhook × delivery id,
 * so queueing the same delivery twice sends it once). Works with `store.jobs` and with an ingest
 * unit of work's `tx.jobs`, so a delivery caused by a write commits with it.
 *
 * @example
 * await queueWebhookDelivery(tx.jobs, { projectId, webhookId, deliveryId: `${runId}.${stepId}`, payload: { person }, now });
 */
export async function queueWebhookDelivery(
  jobs: { enqueue(job: JobRequest, now: number): Io<{ id: string; created: boolean }> },
  delivery: { projectId: string; webhookId: string; deliveryId: string; payload: unknown; now: number; type?: string },
): Promise<{ id: string; created: boolean }> {
  const envelope: WebhookEnvelope = { id: delivery.deliveryId, type: delivery.type ?? 'automation.webhook', createdAt: new Date(delivery.now).toISOString(), data: delivery.payload ?? null };
  const payload: WebhookDeliveryPayload = { webhookId: delivery.webhookId, deliveryId: delivery.deliveryId, body: JSON.stringify(envelope) };
  return jobs.enqueue(
    { projectId: delivery.projectId, kind: WEBHOOK_DELIVER, key: deliveryJobKey(delivery.webhookId, delivery.deliveryId), runAt: delivery.now, payload, maxAttempts: WEBHOOK_MAX_ATTEMPTS },
    delivery.now,
  );
}
