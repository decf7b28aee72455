import type { BatchResponse, EventWarning, RejectedEvent } from '@hark/protocol';
import { isVerifiedUser } from '../identity/user-hash.js';
import type { Store } from '../store/store.js';
import { storeEvents } from './store-events.js';
import type { NormalizedEvent, Project } from '../store/types.js';
import { normalizeEvent, type RequestFacts } from './normalize-event.js';

/** Who sent the request: `trusted` when it came from a server with the secret key. */
export interface Sender {
  project: Project;
  trusted: boolean;
}

/**
 * Validates every event on its own, stores the valid ones in one call, and answers for each:
 * a rejected event never makes the others in its batch fail.
 */
export async function ingestEvents(store: Store, sender: Sender, rawEvents: unknown[], facts: RequestFacts): Promise<BatchResponse> {
  const { project } = sender;
  const verification = project.settings.identityVerification;
  const rejected: RejectedEvent[] = [];
  const valid: NormalizedEvent[] = [];
  const warnings: EventWarning[] = [];
  const validIndex: number[] = [];

  rawEvents.forEach((raw, index) => {
    const result = normalizeEvent(raw, facts, project.settings.linkSecret);
    if (result.ok) {
      const { event, userHash } = result;
      event.verified =
        sender.trusted || (event.userId !== null && isVerifiedUser(project, event.userId, userHash));
      if (verification === 'enforce' && event.type === 'identify' && event.userId !== null && !event.verified) {
        rejected.push({
          index,
          messageId: event.messageId,
          code: 'verification_required',
          message: userHash ? 'userHash does not match userId; compute HMAC-SHA256(verification secret, userId) on your server.' : 'This project requires userHash on identify.',
        });
        return;
      }
      if (result.warning) warnings.push({ index, messageId: event.messageId, ...result.warning });
      valid.push(event);
      validIndex.push(index);
    } else {
      rejected.push({ index, ...(result.messageId ? { messageId: result.messageId } : {}), code: result.code, message: result.message });
    }
  });

  let accepted = 0;
  let duplicates = 0;
  const outcomes = valid.length ? await storeEvents(store, project.id, valid) : [];
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
  warnings.sort((a, b) => a.index - b.index);
  return { success: rejected.length === 0, accepted, duplicates, rejected, warnings };
}
