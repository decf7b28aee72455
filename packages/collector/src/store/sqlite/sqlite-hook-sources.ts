import type { Database } from 'better-sqlite3';
import type { HookMapping } from '../../hooks/hook-mapping.js';
import type { HookSource, HookSourceStore } from '../hook-source-store.js';
import { iso } from './rows.js';

export interface HookSourceRow {
  project_id: string;
  id: string;
  name: string;
  mapping: string;
  token_prefix: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'project_id, id, name, mapping, token_prefix, created_at, updated_at';

/** The statements both stores run (PostgreSQL through postgres-sql's @name parameters). */
export const HOOK_SOURCE_SQL = {
  insert: `INSERT INTO hook_sources (project_id, id, name, mapping, token_hash, token_prefix, created_at, updated_at)
    VALUES (@project, @id, @name, @mapping, @hash, @prefix, @now, @now)`,
  list: `SELECT ${COLUMNS} FROM hook_sources WHERE project_id = @project ORDER BY created_at DESC, id`,
  get: `SELECT ${COLUMNS} FROM hook_sources WHERE project_id = @project AND id = @id`,
  update: 'UPDATE hook_sources SET name = @name, mapping = @mapping, updated_at = @now WHERE project_id = @project AND id = @id',
  remove: 'DELETE FROM hook_sources WHERE project_id = @project AND id = @id',
  byToken: `SELECT ${COLUMNS} FROM hook_sources WHERE token_hash = @hash`,
};

export const toHookSource = (row: HookSourceRow): HookSource => ({
  id: row.id,
  name: row.name,
  mapping: JSON.parse(row.mapping) as HookMapping,
  tokenPrefix: row.token_prefix,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

export function createSqliteHookSources(db: Database): HookSourceStore {
  const q = Object.fromEntries(Object.entries(HOOK_SOURCE_SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof HOOK_SOURCE_SQL, ReturnType<Database['prepare']>>;
  const get = (project: string, id: string) => {
    const row = q.get.get({ project, id }) as HookSourceRow | undefined;
    return row ? toHookSource(row) : null;
  };
  return {
    async create(projectId, source, now) {
      q.insert.run({ project: projectId, id: source.id, name: source.name, mapping: JSON.stringify(source.mapping), hash: source.tokenHash, prefix: source.tokenPrefix, now });
      return get(projectId, source.id)!;
    },
    async list(projectId) {
      return (q.list.all({ project: projectId }) as HookSourceRow[]).map(toHookSource);
    },
    async get(projectId, id) {
      return get(projectId, id);
    },
    async update(projectId, id, patch, now) {
      const current = get(projectId, id);
      if (!current) return null;
      q.update.run({ project: projectId, id, name: patch.name ?? current.name, mapping: JSON.stringify(patch.mapping ?? current.mapping), now });
      return get(projectId, id);
    },
    async remove(projectId, id) {
      return q.remove.run({ project: projectId, id }).changes > 0;
    },
    async findByTokenHash(tokenHash) {
      const row = q.byToken.get({ hash: tokenHash }) as HookSourceRow | undefined;
      return row ? { projectId: row.project_id, source: toHookSource(row) } : null;
    },
  };
}
