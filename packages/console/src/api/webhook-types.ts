/** Outbound webhooks as the admin API answers (docs/API.md, "Outbound webhooks"). */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Only on creation and rotation: the signing secret, shown this once. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface WebhookDelivery {
  id: string;
  type: string | null;
  status: DeliveryStatus;
  attempts: number;
  responseCode: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  finishedAt: string | null;
}
