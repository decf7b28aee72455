import type { DeliveryStats, EventRule } from './conditions.js';
import type { MessageStore } from '../store/message-store.js';
import type { PersonKind } from '../store/types.js';

export interface FactsQuery {
  userId: string | null;
  anonymousId: string | null;
  /** The request proved the user id (valid userHash). */
  userVerified: boolean;
  /** Distinct events-performed rules across the live messages; counted in one query. */
  eventRules: EventRule[];
}

export interface EligibilityFacts {
  /** Null for someone the collector has never seen: no row is created by asking. */
  person: { id: string; kind: PersonKind; userId: string | null; email: string | null; traits: Record<string, unknown> } | null;
  /** The user id named a verified person and came without proof, so it was not used. */
  userIdIgnored: boolean;
  /** On the project's suppression list by user id (the person's or the one asked with) or email. */
  suppressed: boolean;
  /** Same order as `FactsQuery.eventRules`. */
  eventCounts: number[];
  /** By message id; absent means the person never got that message. */
  deliveries: Map<string, DeliveryStats>;
}

/**
 * Everything eligibility needs about one person, with the identity verification rules applied
 * (DESIGN §4, SECURITY.md):
 * - the user id wins: once identify has been stored, that person holds the whole history;
 * - a verified person is not reached through their user id without a valid userHash;
 * - reached through an anonymous id alone (a cookie value anyone who saw it could send), a
 *   verified person is answered for without their traits and email, so message text filled in
 *   from them never reaches a stranger. Their caps and history still apply.
 */
export async function loadEligibilityFacts(store: MessageStore, projectId: string, query: FactsQuery): Promise<EligibilityFacts> {
  let person = query.userId ? await store.person(projectId, 'user', query.userId) : null;
  let userIdIgnored = false;
  if (person?.verified && !query.userVerified) {
    person = null;
    userIdIgnored = true;
  }
  let restricted = false;
  if (!person && query.anonymousId) {
    person = await store.person(projectId, 'anonymous', query.anonymousId);
    restricted = Boolean(person?.verified) && !query.userVerified;
  }
  const userIds = [userIdIgnored ? null : query.userId, person?.userId ?? null].filter((id): id is string => id !== null);
  const suppressed = await store.isSuppressed(projectId, { userIds, email: person?.email ?? null });
  if (!person) return { person: null, userIdIgnored, suppressed, eventCounts: query.eventRules.map(() => 0), deliveries: new Map() };
  return {
    person: {
      id: person.id,
      kind: person.kind,
      userId: restricted ? null : person.userId,
      email: restricted ? null : person.email,
      traits: restricted ? {} : person.traits,
    },
    userIdIgnored,
    suppressed,
    eventCounts: await store.countEvents(person.id, query.eventRules),
    deliveries: await store.deliveryStats(projectId, person.id),
  };
}
