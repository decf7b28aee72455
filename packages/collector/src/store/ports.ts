import type { MessageKind } from '@hark/protocol';
import type { JobRequest } from '../jobs/job-types.js';
import type { AutomationRunRepository } from './automation-store.js';
import type { Geo, IdentityType, NormalizedEvent, PersonKind } from './types.js';

/**
 * The narrow repositories the domain writes through inside one unit of work (one transaction).
 * They hold storage only: no rule about who merges into whom, which traits win or what an
 * answer means lives behind them (those are in identity/, ingest/ and messages/).
 *
 * `Io<T>` is how one domain module serves both stores: the SQLite store answers synchronously
 * (better-sqlite3, inside its group commit's transaction), a PostgreSQL store answers with
 * promises (one pooled client, inside BEGIN … COMMIT). The domain always `await`s, which costs
 * a microtask on SQLite and never lets another request's work into the transaction: a unit's
 * work awaits only its own repositories, never timers or other I/O (see ARCHITECTURE.md).
 */
export type Io<T> = T | Promise<T>;

/** A person as the write path sees them: traits parsed, times in epoch ms. */
export interface StoredPerson {
  id: string;
  kind: PersonKind;
  userId: string | null;
  email: string | null;
  traits: Record<string, unknown>;
  /** Timestamp of the newest event whose traits were applied (late events only fill gaps). */
  traitsAt: number;
  createdAt: number;
  lastSeenAt: number;
  /** Identified at least once with a valid userHash (or by a server with the secret key). */
  verified: boolean;
}

export interface EventRepository {
  /** Which of these messageIds are stored already: one read per batch, not one per event (a round trip each on PostgreSQL). */
  stored(projectId: string, messageIds: readonly string[]): Io<ReadonlySet<string>>;
  /**
   * A stored event's chain root (null when it starts no chain of its own yet); null when no such
   * event is stored. Events inserted earlier in the same unit of work count as stored.
   */
  chainOf(projectId: string, messageId: string): Io<{ root_id: string | null } | null>;
  /**
   * Stores the event on `personId`, with the JSON strings `event.stored` already holds, and its
   * settled chain (chain/chain-root.ts). A store may hold the row until the unit of work ends
   * (PostgreSQL writes a batch's events in one INSERT before COMMIT); the only read
   * back within the unit is `chainOf`, which such a store answers from what it holds.
   */
  insert(projectId: string, personId: string, event: NormalizedEvent, chain?: { parentId: string; rootId: string } | null): Io<void>;
}

export interface IdentityRepository {
  /** The person an anonymous id, user id or email points at. */
  find(projectId: string, type: IdentityType, value: string): Io<string | null>;
  /** Adds the identity unless it exists (then it keeps pointing where it did). */
  add(projectId: string, type: IdentityType, value: string, personId: string, at: number): Io<void>;
  /**
   * A hint before a batch: the identities its events name, and the messageIds it carries. A
   * store whose reads are round trips (PostgreSQL) may lock and read them all at once, with
   * which messageIds are stored and whether anything was erased; `find`, `events.stored` and
   * `anyErased` answer the same either way.
   */
  prefetch(projectId: string, identities: readonly (readonly [IdentityType, string])[], messageIds?: readonly string[]): Io<void>;
  /** True once any identity of the project was erased; false lets ingest skip `isErased`. */
  anyErased(projectId: string): Io<boolean>;
  isErased(projectId: string, type: IdentityType, value: string): Io<boolean>;
}

export interface MergeRecord {
  outcome: 'merged' | 'refused';
  fromPersonId: string | null;
  intoPersonId: string;
  anonymousId: string | null;
  userId: string | null;
  messageId: string;
  reason: string;
  /** The absorbed person's traits, so a merge can be explained later. */
  fromTraits: Record<string, unknown>;
  at: number;
}

export interface PersonRepository {
  get(personId: string): Io<StoredPerson | null>;
  create(projectId: string, person: { id: string; kind: PersonKind; userId: string | null; at: number }): Io<void>;
  /** Writes the fields given; the others stay. */
  update(personId: string, patch: Partial<Omit<StoredPerson, 'id' | 'verified'>>): Io<void>;
  markVerified(personId: string): Io<void>;
  /**
   * The person's last known location; a store may skip the write when it is unchanged. True
   * when the place changed (segments reading geography are re-evaluated only then).
   */
  setLocation(personId: string, geo: Geo): Io<boolean>;
  /**
   * The storage half of a merge: identities, company memberships and aliases of `fromId` move
   * to `intoId`, `fromId` is deleted and recorded as an alias of `intoId`. Events and
   * deliveries are not rewritten (they are read through the alias).
   */
  absorb(projectId: string, fromId: string, intoId: string): Io<void>;
  recordMerge(projectId: string, merge: MergeRecord): Io<void>;
  /**
   * Moves last-seen forward to `at` unless it is already within `resolutionMs` of it. True when
   * it moved (segments reading last seen are re-evaluated only then).
   */
  touch(personId: string, at: number, resolutionMs: number): Io<boolean>;
}

export interface CompanyRepository {
  get(projectId: string, companyId: string): Io<{ traits: Record<string, unknown>; traitsAt: number } | null>;
  save(projectId: string, companyId: string, traits: Record<string, unknown>, traitsAt: number, at: number): Io<void>;
  addMember(projectId: string, companyId: string, personId: string, at: number): Io<void>;
}

export type Interaction = 'shown' | 'clicked' | 'dismissed' | 'answered';

export interface DeliveryRepository {
  messageKind(projectId: string, messageId: string): Io<MessageKind | null>;
  /** A delivery row with the person it belongs to now (merges followed). */
  owner(deliveryId: string): Io<{ projectId: string; messageId: string; personId: string } | null>;
  /** The newest delivery of this message to this person (aliases included). */
  latest(projectId: string, messageId: string, personId: string): Io<string | null>;
  count(projectId: string, messageId: string, personId: string): Io<number>;
  insert(deliveryId: string, projectId: string, messageId: string, personId: string, at: number): Io<void>;
  /** First times stay the earliest, counts add up; an answer keeps the first value given. */
  record(deliveryId: string, interaction: Interaction, at: number, answer?: { value: number | null; text: string | null }): Io<void>;
}

/**
 * Durable jobs queued by the write path (a webhook delivery, an automation step), so the job
 * commits, or rolls back, with the event that caused it: nothing is lost between the two.
 * Idempotent on (projectId, kind, key), as `store.jobs.enqueue`.
 */
export interface JobQueue {
  enqueue(job: JobRequest, now: number): Io<{ id: string; created: boolean }>;
}

/** Everything one ingest unit of work may touch. */
export interface IngestTx {
  events: EventRepository;
  identities: IdentityRepository;
  people: PersonRepository;
  companies: CompanyRepository;
  deliveries: DeliveryRepository;
  jobs: JobQueue;
  /**
   * Automation runs, on the unit's own connection: a step's run row commits with the job and
   * timeline events it queues (run-automation.ts). On SQLite this is `store.automations.runs`
   * (one connection); on PostgreSQL it runs on the transaction's client, and also holds the
   * decisions several collectors may race on (postgres-automation-runs.ts).
   */
  runs: AutomationRunRepository;
}

/**
 * The transaction seam. `work` runs inside one transaction, which commits when it resolves and
 * rolls back when it throws; the promise resolves once the commit is durable. `weight` (events
 * written) lets a store that shares one transaction between callers (SQLite's group commit)
 * bound the group.
 */
export interface IngestUnitOfWork {
  transact<T>(weight: number, work: (tx: IngestTx) => Promise<T>): Promise<T>;
}
