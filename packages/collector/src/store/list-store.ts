import type { Page, PageQuery, PersonSummary } from './types.js';

/** A static list (DESIGN §8): people are added and removed by hand or by an import, never by rules. */
export interface List {
  id: string;
  name: string;
  /** People on the list now. */
  size: number;
  createdAt: string;
  updatedAt: string;
}

/** How a request names a person to add or remove: their id, email or user id. */
export type PersonRef = { id: string } | { email: string } | { userId: string };

/**
 * Lists and their members. Exposed as `store.lists`. Every change of membership re-evaluates the
 * segments that mention the list, for the people it touched, in the same transaction.
 */
export interface ListStore {
  create(projectId: string, name: string, now: number): Promise<List>;
  get(projectId: string, listId: string): Promise<List | null>;
  /** Newest first. */
  list(projectId: string, query: PageQuery): Promise<Page<List>>;
  rename(projectId: string, listId: string, name: string, now: number): Promise<List | null>;
  /** Deletes the list and its memberships; false when there was none. */
  remove(projectId: string, listId: string): Promise<boolean>;
  /**
   * Adds people by id (merged-away ids resolve to the survivor); answers how many were new.
   * Ids of people the project does not hold are skipped. The CSV importer calls this.
   */
  addPeopleToList(projectId: string, listId: string, personIds: string[], now: number): Promise<number>;
  removePeopleFromList(projectId: string, listId: string, personIds: string[], now: number): Promise<number>;
  /** Finds the people named by id, email or user id; `missing` holds the indexes not found. */
  resolvePeople(projectId: string, refs: PersonRef[]): Promise<{ personIds: string[]; missing: number[] }>;
  /** Most recently added first, the shape of `GET /api/v1/people`. */
  people(projectId: string, listId: string, query: PageQuery): Promise<Page<PersonSummary>>;
}
