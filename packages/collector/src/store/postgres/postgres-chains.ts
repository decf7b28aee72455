import type pg from 'pg';
import type { ChainStore } from '../chain-store.js';
import { CHAIN_SQL, toChainEvent, type ChainRow } from '../sqlite/sqlite-chains.js';
import { one, rows } from './postgres-sql.js';

/** The chain reads on PostgreSQL: the same statements as sqlite-chains.ts. */
export function createPostgresChains(pool: pg.Pool): ChainStore {
  return {
    async chainOf(projectId, messageId, limit) {
      const found = await one<{ root: string }>(pool, CHAIN_SQL.rootOf, { project: projectId, message: messageId });
      if (!found) return null;
      const events = await rows<ChainRow>(pool, CHAIN_SQL.events, { project: projectId, root: found.root, limit: limit + 1 });
      return { rootId: found.root, events: events.slice(0, limit).map(toChainEvent), truncated: events.length > limit };
    },
  };
}
