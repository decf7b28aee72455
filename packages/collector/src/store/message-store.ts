import type { Message, MessageAnswer, MessageStatus, Suppression } from '@hark/protocol';
import type { DeliveryStats, EventRule } from '../messages/conditions.js';
import type { FactsQuery, StoredFacts } from '../messages/eligibility-facts.js';
import type { MessageRecord } from '../messages/message-schema.js';
import type { Page, PageQuery, PersonKind } from './types.js';

/**
 * The messages half of the store (DESIGN §5), kept apart from people and events so each can
 * change without the other. Exposed as `store.messages`. Asynchronous for the same reason as
 * `Store`: SQLite answers synchronously, PostgreSQL cannot.
 *
 * Interaction events (`Message Shown` …) are not written through here: the ingest unit of work
 * applies them (messages/record-interaction.ts), so a delivery is updated exactly when its event
 * is stored.
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

  /**
   * Everything eligibility reads per request, for the person the identity rules pick: the
   * person, the suppression list, the event counts the live messages need and the delivery
   * history (messages/eligibility-facts.ts). The answer is `readFactsOneByOne`'s over the four
   * reads below; a store whose reads are round trips answers it in one (PostgreSQL).
   */
  eligibilityFacts(projectId: string, query: FactsQuery): Promise<StoredFacts>;
  /**
   * The reads that answer is made of: the person an identity points at, the suppression list,
   * event counts and delivery history. Each is one indexed query, never one per message.
   */
  person(projectId: string, type: 'user' | 'anonymous', value: string): Promise<FactsPerson | null>;
  /** On the suppression list by any of these user ids, or by the email. */
  isSuppressed(projectId: string, by: { userIds: readonly string[]; email: string | null }): Promise<boolean>;
  /** One count per rule, same order; the person's aliases included. */
  countEvents(personId: string, rules: readonly EventRule[]): Promise<number[]>;
  /** By message id, over every delivery of the person and their aliases. */
  deliveryStats(projectId: string, personId: string): Promise<Map<string, DeliveryStats>>;

  results(projectId: string, messageId: string, range: TimeRange): Promise<MessageCounts>;
  answers(projectId: string, messageId: string, range: TimeRange, page: PageQuery): Promise<Page<MessageAnswer>>;

  listSuppressions(projectId: string, query: PageQuery & { type?: Suppression['type'] }): Promise<Page<Suppression>>;
  /** Adds what is not there yet; answers how many were new. */
  addSuppressions(projectId: string, entries: { type: Suppression['type']; value: string }[], now: number): Promise<number>;
  removeSuppression(projectId: string, entry: { type: Suppression['type']; value: string }): Promise<boolean>;
}

/** A person as eligibility reads them. */
export interface FactsPerson {
  id: string;
  kind: PersonKind;
  userId: string | null;
  email: string | null;
  traits: Record<string, unknown>;
  verified: boolean;
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
