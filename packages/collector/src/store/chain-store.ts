import type { EventType } from '@hark/protocol';

/** One event of a chain as stored (the chain's tree is built from these by chain/chain-tree.ts). */
export interface ChainEventRow {
  messageId: string;
  parentId: string | null;
  type: EventType;
  name: string | null;
  timestamp: string;
  properties: Record<string, unknown>;
  /** The person the event is on now (merges followed); null if they were erased meanwhile. */
  person: { id: string; email: string | null; name: string | null } | null;
}

/** Reads of the chain of events (DESIGN §9). Exposed as `store.chains`. */
export interface ChainStore {
  /**
   * The chain the event belongs to: its root (the event itself when it names none) and up to
   * `limit` events of that chain, the root first, then oldest first. Null when no such event.
   */
  chainOf(projectId: string, messageId: string, limit: number): Promise<{ rootId: string; events: ChainEventRow[]; truncated: boolean } | null>;
}
