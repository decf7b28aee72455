import type pg from 'pg';
import type { HookSourceStore } from '../hook-source-store.js';
import { HOOK_SOURCE_SQL, toHookSource, type HookSourceRow } from '../sqlite/sqlite-hook-sources.js';
import { changes, one, rows } from './postgres-sql.js';

/** Inbound webhook sources on PostgreSQL: the same statements as sqlite-hook-sources.ts. */
export function createPostgresHookSources(pool: pg.Pool): HookSourceStore {
  const get = async (project: string, id: string) => {
    const row = await one<HookSourceRow>(pool, HOOK_SOURCE_SQL.get, { project, id });
    return row ? toHookSource(row) : null;
  };
  return {
    async create(projectId, source, now) {
      await changes(pool, HOOK_SOURCE_SQL.insert, { project: projectId, id: source.id, name: source.name, mapping: JSON.stringify(source.mapping), hash: source.tokenHash, prefix: source.tokenPrefix, now });
      return (await get(projectId, source.id))!;
    },
    async list(projectId) {
      return (await rows<HookSourceRow>(pool, HOOK_SOURCE_SQL.list, { project: projectId })).map(toHookSource);
    },
    get,
    async update(projectId, id, patch, now) {
      const current = await get(projectId, id);
      if (!current) return null;
      await changes(pool, HOOK_SOURCE_SQL.update, { project: projectId, id, name: patch.name ?? current.name, mapping: JSON.stringify(patch.mapping ?? current.mapping), now });
      return get(projectId, id);
    },
    async remove(projectId, id) {
      return (await changes(pool, HOOK_SOURCE_SQL.remove, { project: projectId, id })) > 0;
    },
    async findByTokenHash(tokenHash) {
      const row = await one<HookSourceRow>(pool, HOOK_SOURCE_SQL.byToken, { hash: tokenHash });
      return row ? { projectId: row.project_id, source: toHookSource(row) } : null;
    },
  };
}
