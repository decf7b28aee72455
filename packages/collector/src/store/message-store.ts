import type { Message, MessageAnswer, MessageStatus, Suppression } from '@hark/protocol';
import type { DeliveryStats, EventRule } from '../messages/conditions.js';
import type { MessageRecord } from '../messages/message-schema.js';
import type { Page, PageQuery, PersonKind } from './types.js';

/**
 * The messages half of the store (DESIGN §5), kept apart from people and events so each can
 * change without the other. Exposed as `store.messages`. Asynchronous for the same reason as
 * `Store`: SQLite answers synchronously, PostgreSQL cannot.
 *
 * Interaction events (`Message Shown` …) are not written through here: the store applies them
 * inside the ingest transaction, so a delivery is updated exactly when its event is stored.
 */
export interface MessageStore {
  create(projectId: string, message: MessageRecord, now: number): Promise<Message>;
  get(projectId: string, messageId: string): Promise<Message | null>;
  /** Newest first. */
  list(projectId: string, query: PageQuery & { status?: MessageStatus }): Promise<Page<Message>>;
  /** Replaces the whole definition; null when there is no such message. */
  replace(projectId: string, messageId: string, message: MessageRecord, now: number): Promise<Message | null>;
  /** Deletes the message and its deliveries; false when there was none. */
  remove(projectId: string, messageId: string): Promise<boolean>;

  /**
   * The project's live messages, highest priority first (older first on ties). Read on every
   * eligibility request, so implementations cache it and drop the cache on every write above.
   * The same array is returned until something changes, so callers may cache work keyed on it.
   */
  live(projectId: string): Promise<readonly Message[]>;

  /** Everything eligibility needs about one person, in one call (one round trip per concern). */
  eligibilityFacts(projectId: string, query: FactsQuery): Promise<EligibilityFacts>;

  results(projectId: string, messageId: string, range: TimeRange): Promise<MessageCounts>;
  answers(projectId: string, messageId: string, range: TimeRange, page: PageQuery): Promise<Page<MessageAnswer>>;

  listSuppressions(projectId: string, query: PageQuery & { type?: Suppression['type'] }): Promise<Page<Suppression>>;
  /** Adds what is not there yet; answers how many were new. */
  addSuppressions(projectId: string, entries: { type: Suppression['type']; value: string }[], now: number): Promise<number>;
  removeSuppression(projectId: string, entry: { type: Suppression['type']; value: string }): Promise<boolean>;
}

export interface FactsQuery {
  userId: string | null;
  anonymousId: string | null;
  /**
   * The request proved the user id (valid userHash). Without proof a verified person is not
   * read through their user id (DESIGN §4); their anonymous id on this device still reaches them.
   */
  userVerified: boolean;
  /** Distinct events-performed rules across the live messages; counted in one query. */
  eventRules: EventRule[];
}

export interface EligibilityFacts {
  /** Null for someone the collector has never seen: no row is created by asking. */
  person: {
    id: string;
    kind: PersonKind;
    userId: string | null;
    email: string | null;
    traits: Record<string, unknown>;
  } | null;
  /** The user id named a verified person and came without proof, so it was not used. */
  userIdIgnored: boolean;
  /** On the project's suppression list by user id (the person's or the one asked with) or email. */
  suppressed: boolean;
  /** Same order as `FactsQuery.eventRules`. */
  eventCounts: number[];
  /** By message id; absent means the person never got that message. */
  deliveries: Map<string, DeliveryStats>;
}

/** Epoch ms, either end open. */
export interface TimeRange {
  from: number | null;
  to: number | null;
}

export interface MessageCounts {
  shown: number;
  clicked: number;
  dismissed: number;
  answered: number;
  /** Answered survey grades 1–5, index 0 = grade 1. */
  grades: [number, number, number, number, number];
}
