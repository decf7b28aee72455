import { mergeNeeded, noFacts, touches, type FactsChange, type FactsNeeded } from '../rules/index.js';
import { decideMembership, SEGMENT_ENTERED, SEGMENT_EXITED } from './membership.js';
import type { CompiledSegment, SegmentCatalog } from './segment-catalog.js';
import type { AudienceTx } from './segment-ports.js';

export type Transition = 'enter' | 'exit';

/**
 * THE one place a segment transition is recorded: the membership row, and `Segment Entered` /
 * `Segment Exited` on the person's timeline. Anything that must happen on a transition
 * (automations starting) hooks in here.
 */
export async function recordTransition(
  tx: AudienceTx,
  projectId: string,
  personId: string,
  segment: CompiledSegment,
  transition: Transition,
  now: number,
  fill: boolean,
): Promise<void> {
  const changed = transition === 'enter' ? await tx.members.enter(projectId, segment.id, personId, now) : await tx.members.exit(projectId, segment.id, personId);
  if (!changed) return;
  const properties = { segmentId: segment.id, segmentName: segment.name, ...(fill ? { fill: true } : {}) };
  await tx.timeline.track(projectId, personId, transition === 'enter' ? SEGMENT_ENTERED : SEGMENT_EXITED, properties, now);
}

/**
 * Re-evaluates one person against `segments` with one load of the facts they need, records the
 * transitions and the re-check time. `exact`: every timed segment of the project is among them,
 * so the time found replaces the stored one; otherwise it can only bring it forward.
 */
export async function evaluatePerson(
  tx: AudienceTx,
  projectId: string,
  personId: string,
  segments: readonly CompiledSegment[],
  now: number,
  options: { exact: boolean; fill?: boolean; created?: boolean },
): Promise<void> {
  if (segments.length === 0) return;
  const facts = await tx.facts.load(projectId, personId, neededBy(segments));
  // A person created in this unit is in no segment yet: nothing to read.
  const current = new Set(options.created ? [] : await tx.members.of(projectId, personId));
  let recheck: number | null = null;
  for (const segment of segments) {
    const decision = decideMembership(segment.rule, facts, current.has(segment.id), now);
    if (decision.transition) await recordTransition(tx, projectId, personId, segment, decision.transition, now, options.fill ?? false);
    if (decision.recheckAt !== null && (recheck === null || decision.recheckAt < recheck)) recheck = decision.recheckAt;
  }
  if (recheck !== null) await (options.exact ? tx.rechecks.set(projectId, personId, recheck) : tx.rechecks.bringForward(projectId, personId, recheck));
  else if (options.exact && !options.created) await tx.rechecks.drop(projectId, personId);
}

/**
 * After `change` happened to a person: re-evaluates only the project's segments that read what
 * changed. `all` (a merge, a new person) re-evaluates every segment and first drops the merged-away
 * ids' memberships (the survivor's are decided here).
 */
export async function reevaluatePerson(
  tx: AudienceTx,
  catalog: SegmentCatalog,
  projectId: string,
  personId: string,
  change: FactsChange,
  now: number,
): Promise<void> {
  if (catalog.knownEmpty(projectId)) return;
  const all = await catalog.compiled(tx.trees, projectId);
  if (all.length === 0) return;
  if (change.all && !change.created) await tx.members.dropAliases(projectId, personId);
  const touched = change.all ? all : all.filter((segment) => touches(segment.needed, change));
  await evaluatePerson(tx, projectId, personId, touched, now, { exact: change.all === true, created: change.all === true && change.created === true });
}

/**
 * What a set of segments reads, merged. The project's whole list (a new person, a merge, the
 * import's every contact) is the same array until the catalog changes, so its union is kept.
 */
const neededByList = new WeakMap<readonly CompiledSegment[], FactsNeeded>();
function neededBy(segments: readonly CompiledSegment[]): FactsNeeded {
  if (segments.length === 1) return segments[0]!.needed;
  let needed = neededByList.get(segments);
  if (!needed) {
    needed = noFacts();
    for (const segment of segments) mergeNeeded(needed, segment.needed);
    neededByList.set(segments, needed);
  }
  return needed;
}
