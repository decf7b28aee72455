import { PermanentJobError, type JobHandler } from '../jobs/job-runner.js';
import type { Store } from '../store/store.js';
import { WEBHOOK_DELIVER, type WebhookDeliveryPayload } from './queue-webhook-delivery.js';
import { sendWebhook, WEBHOOK_TIMEOUT_MS } from './send-webhook.js';
import { signWebhook } from './webhook-signature.js';
import { checkTarget, RefusedTarget, type ResolveHost } from './webhook-target.js';

export interface WebhookDeps {
  store: Store;
  /** HARK_WEBHOOKS_ALLOW_PRIVATE: private and loopback targets allowed (tests, an internal receiver). */
  allowPrivate: boolean;
  resolve?: ResolveHost;
  timeoutMs?: number;
}

/** 4xx answers that say "later" rather than "never". */
const RETRYABLE_4XX = new Set([408, 429]);

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The handler of 'webhook.deliver' jobs: one signed POST per attempt. The body was fixed when
 * the delivery was queued; the timestamp and signature are made per attempt. 2xx: done. A 4xx
 * other than 408/429, a deleted or disabled webhook, or a refused address: failed for good. Any
 * other answer, a timeout or a network error: retried by the runner with backoff.
 *
 * Exactly once on the normal path (the job completes after the 2xx); at least once across a
 * crash between the receiver's 2xx and `complete`: the retry carries the same Hark-Webhook-Id,
 * by which the receiver dedupes (docs/API.md).
 */
export function webhookJobHandlers(deps: WebhookDeps): Record<string, JobHandler> {
  const deliver: JobHandler = async (job, { clock }) => {
    const { webhookId, deliveryId, body } = job.payload as WebhookDeliveryPayload;
    const webhook = await deps.store.webhooks.getWithSecret(job.projectId, webhookId);
    if (!webhook) throw new PermanentJobError('The webhook was deleted before this delivery was sent.');
    if (!webhook.enabled) throw new PermanentJobError('The webhook is disabled; this delivery was not sent.');
    const started = clock.now();
    const record = (responseCode: number | null, error: string | null): Promise<void> =>
      deps.store.webhooks.recordAttempt(job.projectId, webhookId, job.key, { responseCode, error, at: started, durationMs: Math.max(0, clock.now() - started) });

    let address;
    try {
      // Resolved again at every delivery (the host's answer may have changed since it was saved).
      address = await checkTarget(webhook.url, { allowPrivate: deps.allowPrivate, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
    } catch (error) {
      await record(null, message(error));
      if (error instanceof RefusedTarget) throw new PermanentJobError(error.message);
      throw error;
    }
    const timestamp = Math.floor(clock.now() / 1000);
    const headers = {
      'user-agent': 'Hark-Webhooks/1',
      'hark-webhook-id': deliveryId,
      'hark-webhook-timestamp': String(timestamp),
      'hark-webhook-signature': signWebhook(webhook.secret, timestamp, body),
    };
    let response;
    try {
      response = await sendWebhook(webhook.url, address, headers, body, deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    } catch (error) {
      await record(null, message(error));
      throw error;
    }
    const ok = response.status >= 200 && response.status < 300;
    const error = ok ? null : `HTTP ${response.status}${response.bodyStart ? `: ${response.bodyStart}` : ''}`;
    await record(response.status, error);
    if (ok) return;
    if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status)) throw new PermanentJobError(error!);
    throw new Error(error!);
  };
  return { [WEBHOOK_DELIVER]: deliver };
}

