import type { FactsNeeded, PersonFacts, Rule } from '../rules/index.js';
import type { Page, PageQuery, PersonSummary } from './types.js';

/** A named rule tree whose membership is kept (DESIGN §8). */
export interface Segment {
  id: string;
  name: string;
  rules: Rule;
  /** `filling` while the background fill evaluates everyone after a create or an edit. */
  status: 'filling' | 'ready';
  progress: { processed: number; total: number };
  /** Members now. */
  size: number;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentInput {
  name: string;
  rules: Rule;
}

export interface SegmentPreview {
  count: number;
  /** The first 20 matching people (by id). */
  people: PersonSummary[];
  /** People evaluated. */
  scanned: number;
}

export interface PersonSegment {
  id: string;
  name: string;
  enteredAt: string;
}

/**
 * Segments and their kept membership. Exposed as `store.segments`. Ingest, list changes and the
 * sweep keep membership current; readers (eligibility, the admin API) only read it.
 */
export interface SegmentStore {
  create(projectId: string, input: SegmentInput, now: number): Promise<Segment>;
  get(projectId: string, segmentId: string): Promise<Segment | null>;
  /** Newest first. */
  list(projectId: string, query: PageQuery): Promise<Page<Segment>>;
  /** A changed tree refills the segment in the background; a new name alone does not. */
  update(projectId: string, segmentId: string, patch: Partial<SegmentInput>, now: number): Promise<Segment | null>;
  remove(projectId: string, segmentId: string): Promise<boolean>;
  /** Members, the shape of `GET /api/v1/people`. */
  people(projectId: string, segmentId: string, query: PageQuery): Promise<Page<PersonSummary>>;
  count(projectId: string, segmentId: string): Promise<number>;
  /** Evaluates an unsaved tree over everyone, in chunks that let other requests run between them. */
  preview(projectId: string, rules: Rule, now: number): Promise<SegmentPreview>;
  forPerson(projectId: string, personId: string): Promise<PersonSegment[]>;
  /** Which of these segments the person is in now (kept membership; nothing is evaluated). */
  memberOf(projectId: string, personId: string, segmentIds: readonly string[]): Promise<Set<string>>;
  /** The facts `needed` names, for trees evaluated live (message audiences, suppression rules). */
  facts(projectId: string, personId: string, needed: FactsNeeded): Promise<PersonFacts | null>;
  /**
   * Re-evaluates the people whose rolling windows may have moved by `now` (their re-check time
   * has come); answers how many were re-evaluated. `server.ts` calls it on a timer; tests call it
   * after moving the clock.
   */
  sweepDue(now: number): Promise<number>;
  /** Resolves once no background fill is running (tests; shutdown). */
  idle(): Promise<void>;
}

/** A rule tree whose people get no message (and, once email exists, no email). */
export interface SuppressionRule {
  id: string;
  name: string;
  rules: Rule;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SuppressionRuleStore {
  create(projectId: string, input: SegmentInput & { enabled?: boolean }, now: number): Promise<SuppressionRule>;
  get(projectId: string, id: string): Promise<SuppressionRule | null>;
  list(projectId: string): Promise<SuppressionRule[]>;
  update(projectId: string, id: string, patch: Partial<SegmentInput & { enabled: boolean }>, now: number): Promise<SuppressionRule | null>;
  remove(projectId: string, id: string): Promise<boolean>;
  /** The enabled rules, cached until one changes (read on every eligibility request). */
  live(projectId: string): Promise<readonly SuppressionRule[]>;
}
