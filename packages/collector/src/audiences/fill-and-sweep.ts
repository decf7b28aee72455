import { evaluatePerson } from './reevaluate.js';
import type { SegmentCatalog } from './segment-catalog.js';
import type { AudienceTx } from './segment-ports.js';

/** People evaluated per step of a background fill, and per transaction of a sweep. */
export const AUDIENCE_CHUNK = 500;

/**
 * One chunk of the oldest pending fill (a new or edited segment evaluated over everyone), in the
 * caller's transaction. False when no fill is pending. The store calls it once per event-loop
 * turn, so ingest and reads run between chunks; the walk's place is stored, so a restart resumes.
 */
export async function fillStep(tx: AudienceTx, catalog: SegmentCatalog, now: number): Promise<boolean> {
  const next = await tx.fills.next();
  if (!next) return false;
  const segment = (await catalog.compiled(tx.trees, next.projectId)).find((s) => s.id === next.segmentId);
  const ids = await tx.fills.peopleAfter(next.projectId, next.after, AUDIENCE_CHUNK);
  if (segment) for (const id of ids) await evaluatePerson(tx, next.projectId, id, [segment], now, { exact: false, fill: true });
  if (ids.length < AUDIENCE_CHUNK) await tx.fills.finish(next.projectId, next.segmentId);
  else await tx.fills.advance(next.projectId, next.segmentId, ids.length, ids[ids.length - 1]!);
  return true;
}

/**
 * One chunk of the sweep: the people whose re-check time has come are re-evaluated against their
 * project's timed segments and get their next time (or lose the row). Answers how many were
 * taken; fewer than `AUDIENCE_CHUNK` means none is due any more.
 */
export async function sweepStep(tx: AudienceTx, catalog: SegmentCatalog, now: number): Promise<number> {
  const due = await tx.rechecks.due(now, AUDIENCE_CHUNK);
  for (const { projectId, personId } of due) {
    const timed = (await catalog.compiled(tx.trees, projectId)).filter((segment) => segment.needed.timed);
    if (timed.length === 0) await tx.rechecks.drop(projectId, personId);
    else await evaluatePerson(tx, projectId, personId, timed, now, { exact: true });
  }
  return due.length;
}
