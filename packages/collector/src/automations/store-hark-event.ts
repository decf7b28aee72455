import { settleChain } from '../chain/chain-root.js';
import type { IngestTx } from '../store/ports.js';
import type { Store } from '../store/store.js';
import type { NormalizedEvent } from '../store/types.js';
import { automationTriggers } from './ingest-triggers.js';
import { triggerIndexOf } from './trigger-index.js';

/**
 * Stores an event Hark writes itself (`Email Sent`, `Email Opened`, `Email Clicked`) inside the
 * caller's unit of work, in its chain, and runs the live automations' triggers on it as ingest
 * does, so a run waiting for `Email Opened` resumes and an automation can start on a click. A
 * run's own timeline events do not come here: they would trigger automations of themselves.
 */
export async function storeHarkEvent(store: Store, tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent): Promise<void> {
  await tx.events.insert(projectId, personId, event, await settleChain(tx.events, projectId, event));
  const triggers = triggerIndexOf(await store.automations.live(projectId));
  if (triggers.size > 0) await automationTriggers(triggers)(tx, projectId, personId, event);
}
