import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are `at` in milliseconds, the other 74 random.
 * Ids written in time order land at the end of a unique index instead of at random places in it,
 * so a transaction writing thousands of them (segment transitions during an import) touches a
 * few pages of `events_by_message_id` rather than one page per row.
 */
export function timeOrderedId(at: number): string {
  const time = Math.max(0, Math.floor(at)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx; keep its random tail and variant bits.
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}
