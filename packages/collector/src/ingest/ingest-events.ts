import type { BatchResponse, EventWarning, RejectedEvent } from '@hark/protocol';
import type { Store } from '../store/store.js';
import type { NormalizedEvent } from '../store/types.js';
import { normalizeEvent, type RequestFacts } from './normalize-event.js';

/**
 * Validates every event on its own, stores the valid ones in one call, and answers for each:
 * a rejected event never makes the others in its batch fail.
 */
export async function ingestEvents(store: Store, projectId: string, rawEvents: unknown[], facts: RequestFacts): Promise<BatchResponse> {
  const rejected: RejectedEvent[] = [];
  const valid: NormalizedEvent[] = [];
  const validIndex: number[] = [];

  rawEvents.forEach((raw, index) => {
    const result = normalizeEvent(raw, facts);
    if (result.ok) {
      valid.push(result.event);
      validIndex.push(index);
    } else {
      rejected.push({ index, ...(result.messageId ? { messageId: result.messageId } : {}), code: result.code, message: result.message });
    }
  });

  const warnings: EventWarning[] = [];
  let accepted = 0;
  let duplicates = 0;
  const outcomes = valid.length ? await store.ingest(projectId, valid) : [];
  outcomes.forEach((outcome, i) => {
    const index = validIndex[i]!;
    const messageId = valid[i]!.messageId;
    if (outcome.status === 'stored') {
      accepted++;
      if (outcome.warning) warnings.push({ index, messageId, ...outcome.warning });
    } else if (outcome.status === 'duplicate') {
      duplicates++;
    } else {
      rejected.push({ index, messageId, code: outcome.code, message: outcome.message });
    }
  });
  rejected.sort((a, b) => a.index - b.index);
  return { success: rejected.length === 0, accepted, duplicates, rejected, warnings };
}
