import { createHash } from 'node:crypto';

/**
 * The id of the next occasion a message reaches a person, derived rather than stored: the n-th
 * delivery of a message to a person always has the same id. So an eligibility poll writes
 * nothing (a visitor the collector never saw stays unseen, a bot polling costs no rows) and
 * polling twice before the App shows the message hands out the same id twice. The row appears
 * when the first interaction event for it is stored; from then on the next poll names the
 * next occasion.
 *
 * `personKey` is the person id, or `anon:<anonymousId>` / `user:<userId>` for someone the
 * collector does not know yet.
 */
export function deliveryIdFor(projectId: string, messageId: string, personKey: string, occasion: number): string {
  const digest = createHash('sha256').update(`${projectId}\u0000${messageId}\u0000${personKey}\u0000${occasion}`).digest('base64url');
  return `dlv_${digest.slice(0, 26)}`;
}
