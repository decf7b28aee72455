import type { JobStatus } from '../jobs/job-types.js';
import type { Page, PageQuery } from './types.js';

/** The job kind of an outbound webhook delivery (handled by webhookJobHandlers). */
export const WEBHOOK_DELIVER = 'webhook.deliver';

/**
 * The job key of a delivery: unique per webhook, and ordered under the webhook's id, so the
 * delivery log of one subscription is a range of the jobs' (project, kind, key) index.
 */
export const deliveryJobKey = (webhookId: string, deliveryId: string): string => `${webhookId}:${deliveryId}`;
export const deliveryKeyRange = (webhookId: string): { from: string; to: string } => ({ from: `${webhookId}:`, to: `${webhookId};` });

/** An outbound webhook subscription as the admin API shows it: never with its secret. */
export interface Webhook {
  id: string;
  url: string;
  /** Exact event names, or '*' for every event. */
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** With the signing secret: when made or rotated (shown once), and to the delivery handler. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

/** One delivery in a subscription's log: the job's state and the last attempt's answer. */
export interface WebhookDelivery {
  /** The delivery id, sent as `Hark-Webhook-Id`. */
  id: string;
  /** The envelope's type: the event name, `automation.webhook`, `webhook.test`. */
  type: string | null;
  status: JobStatus;
  attempts: number;
  /** The HTTP status of the last attempt (null: none yet, or no answer). */
  responseCode: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  /** When a pending delivery is tried next. */
  nextAttemptAt: string | null;
  finishedAt: string | null;
}

export interface WebhookAttempt {
  responseCode: number | null;
  error: string | null;
  at: number;
  durationMs: number;
}

/** Outbound webhooks and their delivery log (`store.webhooks`); rows only, rules in webhooks/. */
export interface WebhookStore {
  create(projectId: string, webhook: { id: string; url: string; events: string[]; secret: string; enabled: boolean }, at: number): Promise<WebhookWithSecret>;
  list(projectId: string): Promise<Webhook[]>;
  get(projectId: string, id: string): Promise<Webhook | null>;
  /** With the secret, for signing a delivery. */
  getWithSecret(projectId: string, id: string): Promise<WebhookWithSecret | null>;
  update(projectId: string, id: string, patch: { url?: string; events?: string[]; enabled?: boolean }, at: number): Promise<Webhook | null>;
  setSecret(projectId: string, id: string, secret: string, at: number): Promise<WebhookWithSecret | null>;
  /** Deletes it with its log; its deliveries still pending are cancelled. */
  delete(projectId: string, id: string, at: number): Promise<boolean>;
  /** The enabled subscriptions' event names, what the write path matches events against. */
  subscriptions(projectId: string): Promise<{ id: string; events: string[] }[]>;
  /** Keeps the last attempt of a delivery (by its job key). */
  recordAttempt(projectId: string, webhookId: string, jobKey: string, attempt: WebhookAttempt): Promise<void>;
  /** Newest first; `status` filters. */
  deliveries(projectId: string, webhookId: string, query: PageQuery & { status?: JobStatus }): Promise<Page<WebhookDelivery>>;
}
