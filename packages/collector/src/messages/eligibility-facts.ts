import type { DeliveryStats, EventRule } from './conditions.js';
import type { FactsPerson, MessageStore } from '../store/message-store.js';
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

/** What a store reads for one poll, before the masking below: the person as stored, and through which identity. */
export interface StoredFacts {
  person: (FactsPerson & { reachedBy: 'user' | 'anonymous' }) | null;
  userIdIgnored: boolean;
  suppressed: boolean;
  eventCounts: number[];
  deliveries: Map<string, DeliveryStats>;
}

/** The four reads the step-by-step answer is made of (each one indexed query). */
export type FactReads = Pick<MessageStore, 'person' | 'isSuppressed' | 'countEvents' | 'deliveryStats'>;

/**
 * Which person a poll is about, and the rest of what eligibility reads, one read after the other
 * (DESIGN §4, SECURITY.md):
 * - the user id wins: once identify has been stored, that person holds the whole history;
 * - a verified person is not reached through their user id without a valid userHash
 *   (`userIdIgnored`); the anonymous id is asked instead;
 * - suppression is by the user id asked with (unless ignored), the person's user id or email.
 * The SQLite store answers `eligibilityFacts` with this (its reads are function calls). The
 * PostgreSQL store answers it in one statement, where every read is a round trip
 * (postgres-eligibility-facts.ts); the store contract checks both give this function's answers.
 */
export async function readFactsOneByOne(reads: FactReads, projectId: string, query: FactsQuery): Promise<StoredFacts> {
  let person: StoredFacts['person'] = null;
  let userIdIgnored = false;
  const byUser = query.userId ? await reads.person(projectId, 'user', query.userId) : null;
  if (byUser?.verified && !query.userVerified) userIdIgnored = true;
  else if (byUser) person = { ...byUser, reachedBy: 'user' };
  if (!person && query.anonymousId) {
    const byAnonymous = await reads.person(projectId, 'anonymous', query.anonymousId);
    if (byAnonymous) person = { ...byAnonymous, reachedBy: 'anonymous' };
  }
  const userIds = [userIdIgnored ? null : query.userId, person?.userId ?? null].filter((id): id is string => id !== null);
  const suppressed = await reads.isSuppressed(projectId, { userIds, email: person?.email ?? null });
  if (!person) return { person: null, userIdIgnored, suppressed, eventCounts: query.eventRules.map(() => 0), deliveries: new Map() };
  return {
    person,
    userIdIgnored,
    suppressed,
    eventCounts: await reads.countEvents(person.id, query.eventRules),
    deliveries: await reads.deliveryStats(projectId, person.id),
  };
}

/**
 * Everything eligibility needs about one person (the store's `eligibilityFacts`), with the last
 * identity rule applied: reached through an anonymous id alone (a cookie value anyone who saw
 * it could send), a verified person is answered for without their traits and email, so message
 * text filled in from them never reaches a stranger. Their caps and history still apply.
 */
export async function loadEligibilityFacts(store: MessageStore, projectId: string, query: FactsQuery): Promise<EligibilityFacts> {
  const { person, ...facts } = await store.eligibilityFacts(projectId, query);
  if (!person) return { person: null, ...facts };
  const restricted = person.reachedBy === 'anonymous' && person.verified && !query.userVerified;
  return {
    person: {
      id: person.id,
      kind: person.kind,
      userId: restricted ? null : person.userId,
      email: restricted ? null : person.email,
      traits: restricted ? {} : person.traits,
    },
    ...facts,
  };
}
