import type { ChainEventRow } from '../store/chain-store.js';

/** One event of a chain with the events that follow it directly (the shape of `GET /api/v1/events/:messageId/chain`). */
export interface ChainNode {
  messageId: string;
  parentId: string | null;
  /** Null only for a root that is named by its chain but not stored (yet, or erased). */
  type: ChainEventRow['type'] | null;
  name: string | null;
  time: string | null;
  person: ChainEventRow['person'];
  properties: Record<string, unknown>;
  children: ChainNode[];
}

export interface ChainTree {
  rootId: string;
  root: ChainNode;
  /** Events in the tree. */
  count: number;
  /** True when the chain holds more events than the answer's cap. */
  truncated: boolean;
}

/** How many events one chain answer holds at most. */
export const CHAIN_NODE_LIMIT = 500;

/**
 * Nests a chain's events by parentId (pure). Children are oldest first. An event whose parent is
 * not in the set (cut by the cap, erased, or not stored) hangs under the root, so nothing of the
 * chain is hidden.
 */
export function buildChainTree(rootId: string, events: readonly ChainEventRow[], truncated: boolean): ChainTree {
  const nodes = new Map<string, ChainNode>();
  for (const event of events) {
    nodes.set(event.messageId, { messageId: event.messageId, parentId: event.parentId, type: event.type, name: event.name, time: event.timestamp, person: event.person, properties: event.properties, children: [] });
  }
  const root = nodes.get(rootId) ?? { messageId: rootId, parentId: null, type: null, name: null, time: null, person: null, properties: {}, children: [] };
  for (const node of nodes.values()) {
    if (node === root) continue;
    const parent = (node.parentId !== null && node.parentId !== node.messageId && nodes.get(node.parentId)) || root;
    parent.children.push(node);
  }
  const byTime = (a: ChainNode, b: ChainNode) => (a.time ?? '').localeCompare(b.time ?? '');
  for (const node of [root, ...nodes.values()]) node.children.sort(byTime);
  return { rootId, root, count: nodes.size, truncated };
}
