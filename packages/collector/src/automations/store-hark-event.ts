import { settleChain } from '../chain/chain-root.js';
import { systemClock } from '../clock.js';
import type { IngestTx } from '../store/ports.js';
import type { Store } from '../store/store.js';
import type { NormalizedEvent } from '../store/types.js';
import { queueEventWebhooks } from '../webhooks/queue-event-webhooks.js';
import { NO_SUBSCRIPTIONS, sharedWebhookSubscriptions } from '../webhooks/webhook-subscriptions.js';
import { automationTriggers } from './ingest-triggers.js';
import { triggerIndexOf } from './trigger-index.js';

/**
 * Stores an event Hark writes itself (`Email Sent`, `Email Opened`, `Email Clicked`, a run's
 * `Automation Entered` / `Automation Step` / `Automation Exited`) inside the caller's unit of
 * work, in its chain, and treats it as ingest treats a tracked event: the webhooks subscribed to
 * its name get a delivery job in the same transaction, and (unless `triggers` is false) the live
 * automations' triggers run on it, so a run waiting for `Email Opened` resumes and an automation
 * can start on a click. A run's own events pass `triggers: false`: they would trigger
 * automations of themselves.
 */
export async function storeHarkEvent(store: Store, tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent, options: { triggers?: boolean } = {}): Promise<void> {
  await tx.events.insert(projectId, personId, event, await settleChain(tx.events, projectId, event));
  const subscriptions = await sharedWebhookSubscriptions(store.webhooks, systemClock).forProject(projectId);
  if (subscriptions !== NO_SUBSCRIPTIONS) await queueEventWebhooks(subscriptions)(tx, projectId, personId, event);
  if (options.triggers === false) return;
  const triggers = triggerIndexOf(await store.automations.live(projectId));
  if (triggers.size > 0) await automationTriggers(triggers)(tx, projectId, personId, event);
}
