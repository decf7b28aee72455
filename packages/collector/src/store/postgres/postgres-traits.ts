import type { PostgresAudienceUnit } from './postgres-audience-unit.js';
import { one, query } from './postgres-sql.js';

/**
 * A team member editing a contact's traits (as sqlite-traits.ts): top-level keys set or
 * replaced, null removes one, `traits_at` moves to the edit's time. The row is read FOR UPDATE,
 * so an ingest changing the same person on another collector applies before or after, not across.
 * An audience unit: the segments reading the keys it changed re-evaluate in the same transaction.
 */
export function createPostgresTraits(unit: PostgresAudienceUnit) {
  return {
    async patch(projectId: string, personId: string, changes: Record<string, unknown>, at: number): Promise<boolean> {
      return unit(async (changed, _audience, client) => {
        const row = await one<{ traits: string; traits_at: number }>(client, 'SELECT traits, traits_at FROM people WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, personId]);
        if (!row) return false;
        const traits = JSON.parse(row.traits) as Record<string, unknown>;
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) delete traits[key];
          else traits[key] = value;
        }
        await query(client, 'UPDATE people SET traits = $1, traits_at = $2 WHERE project_id = $3 AND id = $4', [JSON.stringify(traits), Math.max(row.traits_at, at), projectId, personId]);
        changed.mark(projectId, personId, { traits: Object.keys(changes) });
        return true;
      });
    },
  };
}
