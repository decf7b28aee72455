import type { FactsChange } from '../rules/index.js';
import type { SegmentCatalog } from './segment-catalog.js';
import type { AudienceTx } from './segment-ports.js';
import { reevaluatePerson } from './reevaluate.js';

/**
 * What changed about which people during one unit of work, folded per person, so each is
 * re-evaluated once at its end against only the segments that read something that changed.
 */
export interface ChangedPeople {
  mark(projectId: string, personId: string, change: FactsChange): void;
  /** A person row that no longer exists (merged away, erased): nothing to re-evaluate. */
  drop(personId: string): void;
  readonly size: number;
  /** Re-evaluates everyone marked (in the caller's transaction) and forgets them. */
  reevaluate(tx: AudienceTx, catalog: SegmentCatalog, now: number): Promise<void>;
}

/** Folds a second change into the first. */
export function mergeChange(into: FactsChange, change: FactsChange): FactsChange {
  // `created` holds only while every `all` folded in is the creation itself (a merge into the
  // new person, in the same unit, gives them aliases).
  if (change.all) into.created = change.created === true && (into.all !== true || into.created === true);
  if (change.all) into.all = true;
  if (change.traits === true || (change.traits && into.traits === true)) into.traits = true;
  else if (change.traits) into.traits = [...((into.traits || []) as Iterable<string>), ...change.traits];
  if (change.companies) into.companies = true;
  if (change.seen) into.seen = true;
  if (change.geo) into.geo = true;
  if (change.messages) into.messages = true;
  if (change.events) into.events = [...(into.events ?? []), ...change.events];
  if (change.lists) into.lists = [...(into.lists ?? []), ...change.lists];
  return into;
}

export function createChangedPeople(): ChangedPeople {
  // Person ids are unique across projects (UUIDs), so they key alone.
  const people = new Map<string, { projectId: string; change: FactsChange }>();
  return {
    mark(projectId, personId, change) {
      const entry = people.get(personId);
      if (entry) mergeChange(entry.change, change);
      else people.set(personId, { projectId, change: mergeChange({}, change) });
    },
    drop(personId) {
      people.delete(personId);
    },
    get size() {
      return people.size;
    },
    async reevaluate(tx, catalog, now) {
      // In person id order, the order a fill walks its people: two units deciding memberships of
      // the same people (a fill chunk and an ingest batch on two collectors) then take the
      // segment_members keys in one order and cannot deadlock on them.
      const entries = [...people].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      people.clear();
      for (const [personId, { projectId, change }] of entries) await reevaluatePerson(tx, catalog, projectId, personId, change, now);
    },
  };
}
