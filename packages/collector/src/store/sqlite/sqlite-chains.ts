import type { Database } from 'better-sqlite3';
import type { ChainEventRow, ChainStore } from '../chain-store.js';
import { iso } from './rows.js';

export interface ChainRow {
  message_id: string;
  parent_id: string | null;
  type: ChainEventRow['type'];
  name: string | null;
  timestamp: number;
  properties: string;
  person_id: string | null;
  email: string | null;
  traits: string | null;
}

/** The SQL both stores run (PostgreSQL through postgres-sql's @name parameters). */
export const CHAIN_SQL = {
  rootOf: 'SELECT coalesce(root_id, message_id) AS root FROM events WHERE project_id = @project AND message_id = @message',
  // The root, then its chain by the partial events_by_root index. Merged-away people read as the survivor.
  events: `SELECT e.message_id, e.parent_id, e.type, e.name, e.timestamp, e.properties, p.id AS person_id, p.email, p.traits
    FROM events e
    LEFT JOIN person_aliases a ON a.alias_id = e.person_id
    LEFT JOIN people p ON p.id = coalesce(a.person_id, e.person_id)
    WHERE e.project_id = @project AND (e.message_id = @root OR e.root_id = @root)
    ORDER BY (e.message_id = @root) DESC, e.timestamp, e.seq LIMIT @limit`,
};

export function toChainEvent(row: ChainRow): ChainEventRow {
  const traits = row.traits ? (JSON.parse(row.traits) as Record<string, unknown>) : {};
  return {
    messageId: row.message_id,
    parentId: row.parent_id,
    type: row.type,
    name: row.name,
    timestamp: iso(row.timestamp),
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    person: row.person_id ? { id: row.person_id, email: row.email, name: typeof traits.name === 'string' ? traits.name : null } : null,
  };
}

export function createSqliteChains(db: Database): ChainStore {
  const q = { rootOf: db.prepare(CHAIN_SQL.rootOf).pluck(), events: db.prepare(CHAIN_SQL.events) };
  return {
    async chainOf(projectId, messageId, limit) {
      const rootId = q.rootOf.get({ project: projectId, message: messageId }) as string | undefined;
      if (rootId === undefined) return null;
      const found = q.events.all({ project: projectId, root: rootId, limit: limit + 1 }) as ChainRow[];
      return { rootId, events: found.slice(0, limit).map(toChainEvent), truncated: found.length > limit };
    },
  };
}
