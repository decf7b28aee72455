import type { EventRepository } from '../store/ports.js';
import type { NormalizedEvent } from '../store/types.js';
import { readChainFields } from './chain-fields.js';

/** An event's place in its chain as stored: both set, or the event is in no chain. */
export interface SettledChain {
  parentId: string;
  rootId: string;
}

/**
 * Settles an event's place in its chain just before it is stored (inside the ingest unit of
 * work, so a parent stored earlier in the same batch is seen): the root given, else the parent's
 * stored root, else the parent itself (a parent not stored yet, or stored with no chain, starts
 * the chain). One read, and only for an event that names a parent but no root. The event is not
 * changed, so a unit of work that runs again (PostgreSQL) decides again on what it reads then.
 *
 * Events built by hand (Hark's own writers) may set parentId/rootId, or `context.hark` only.
 */
export async function settleChain(events: Pick<EventRepository, 'chainOf'>, projectId: string, event: NormalizedEvent): Promise<SettledChain | null> {
  let parentId = event.parentId ?? null;
  let rootId = event.rootId ?? null;
  if (event.parentId === undefined && event.rootId === undefined) {
    if (event.context.hark === undefined) return null;
    const { chain } = readChainFields({ hark: { ...(event.context.hark as object) } }, event.messageId, undefined);
    parentId = chain?.parentId ?? null;
    rootId = chain?.rootId ?? null;
  }
  if (!parentId) return null;
  if (rootId) return { parentId, rootId };
  const parent = await events.chainOf(projectId, parentId);
  return { parentId, rootId: parent?.root_id ?? parentId };
}
