import type { IngestUnitOfWork } from '../store/ports.js';
import type { IngestOutcome, NormalizedEvent } from '../store/types.js';
import { writeEvents, type AfterStore } from './write-events.js';

/**
 * Stores validated events in order, in one unit of work: when this resolves, every `stored`
 * event is durable. The rules are in write-events.ts; the store only provides the transaction.
 */
export function storeEvents(store: IngestUnitOfWork, projectId: string, events: readonly NormalizedEvent[], afterStore?: readonly AfterStore[]): Promise<IngestOutcome[]> {
  return store.transact(events.length, (tx) => writeEvents(tx, projectId, events, afterStore));
}
