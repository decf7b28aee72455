import type { EventRepository } from '../store/ports.js';
import type { NormalizedEvent } from '../store/types.js';
import { readChainFields } from './chain-fields.js';

/**
 * Settles an event's place in its chain just before it is stored (inside the ingest unit of
 * work, so a parent stored earlier in the same batch is seen): the root given, else the parent's
 * stored root, else the parent itself (a parent not stored yet, or stored with no chain, starts
 * the chain). One read, and only for an event that names a parent but no root.
 *
 * Events built by hand (Hark's own writers) may set parentId/rootId, or `context.hark` only.
 */
export async function settleChain(events: Pick<EventRepository, 'chainOf'>, projectId: string, event: NormalizedEvent): Promise<void> {
  if (event.parentId === undefined && event.rootId === undefined) {
    if (event.context.hark === undefined) return;
    const { chain } = readChainFields({ hark: { ...(event.context.hark as object) } }, event.messageId, undefined);
    event.parentId = chain?.parentId ?? null;
    event.rootId = chain?.rootId ?? null;
  }
  if (!event.parentId || event.rootId) return;
  const parent = await events.chainOf(projectId, event.parentId);
  event.rootId = parent?.root_id ?? event.parentId;
}
