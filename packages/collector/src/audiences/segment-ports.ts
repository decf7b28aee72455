import type { FactsNeeded, PersonFacts, Rule } from '../rules/index.js';
import type { Io } from '../store/ports.js';

/**
 * The narrow repositories kept segment membership is written through (ARCHITECTURE.md
 * "Audiences"). Rows only: which segments a change touches, who enters or leaves, when to look
 * again, how a fill or a sweep walks people — all of that is in audiences/ (reevaluate.ts,
 * fill-and-sweep.ts, track-changes.ts). A store implements these and runs the domain inside one
 * of its transactions; `Io<T>` as in store/ports.ts (SQLite answers synchronously, PostgreSQL
 * with promises). Person ids are the person's current id (merges already followed) unless said.
 */

/** A segment's stored tree (the domain compiles it once per project, see segment-catalog.ts). */
export interface SegmentTree {
  id: string;
  name: string;
  rules: Rule;
}

export interface SegmentTreeRepository {
  /** Every segment of the project, any order. */
  all(projectId: string): Io<SegmentTree[]>;
}

export interface MembershipRepository {
  /** Ids of the segments the person is in now. */
  of(projectId: string, personId: string): Io<string[]>;
  /**
   * Idempotent: entering a segment the person is in changes nothing. True only when this call
   * wrote the row (another collector deciding the same at once finds it there: false), so a
   * transition is recorded once however many evaluate it.
   */
  enter(projectId: string, segmentId: string, personId: string, at: number): Io<boolean>;
  /** True only when this call deleted the row. */
  exit(projectId: string, segmentId: string, personId: string): Io<boolean>;
  /** Drops the memberships of the ids merged into `personId` (they hold none of their own any more). */
  dropAliases(projectId: string, personId: string): Io<void>;
}

export type TransitionEventName = 'Segment Entered' | 'Segment Exited';

export interface TimelineRepository {
  /**
   * Writes a server-side track event on the person's timeline (a fresh message id, no device),
   * so the timeline stays one query. `properties` is already the event's JSON object.
   */
  track(projectId: string, personId: string, name: TransitionEventName, properties: Record<string, unknown>, at: number): Io<void>;
}

/** When a person's answers may next change with time alone (one row per person, or none). */
export interface RecheckRepository {
  /** Replaces the person's re-check time. */
  set(projectId: string, personId: string, dueAt: number): Io<void>;
  /** Keeps the earlier of the stored time and `dueAt`. */
  bringForward(projectId: string, personId: string, dueAt: number): Io<void>;
  drop(projectId: string, personId: string): Io<void>;
  /** People whose time has come (`due_at <= now`), oldest first, at most `limit`. */
  due(now: number, limit: number): Io<{ projectId: string; personId: string }[]>;
}

/** Per-person, per-event, per-UTC-day counts, so "N times in T days" never scans events. */
export interface DailyCountRepository {
  /** Adds one to (project, person, event, day): one upsert. */
  bump(projectId: string, personId: string, event: string, day: number): Io<void>;
}

export interface FactsRepository {
  /** The facts `needed` names about one person; null when the store holds no such person. */
  load(projectId: string, personId: string, needed: FactsNeeded): Io<PersonFacts | null>;
}

/** A segment being filled after a create or an edit (`status = 'filling'`). */
export interface PendingFill {
  projectId: string;
  segmentId: string;
  /** The last person id evaluated (people are walked by id), or null at the start. */
  after: string | null;
}

export interface FillRepository {
  /** The oldest pending fill, or null. */
  next(): Io<PendingFill | null>;
  /** The project's person ids after `after` (null: from the start), by id, at most `limit`. */
  peopleAfter(projectId: string, after: string | null, limit: number): Io<string[]>;
  /** Records a chunk done: progress grows by `processed`, the walk resumes after `after`. */
  advance(projectId: string, segmentId: string, processed: number, after: string): Io<void>;
  /** The walk is over: members no longer in `people` are dropped, the segment is `ready`. */
  finish(projectId: string, segmentId: string): Io<void>;
}

/** Everything one audience unit of work may touch (one transaction of the store). */
export interface AudienceTx {
  trees: SegmentTreeRepository;
  members: MembershipRepository;
  timeline: TimelineRepository;
  rechecks: RecheckRepository;
  counts: DailyCountRepository;
  facts: FactsRepository;
  fills: FillRepository;
}
