import type pg from 'pg';
import type { Clock } from '../../clock.js';
import { erasureKey } from '../../identity/erasure-key.js';
import { cursorKey, toPage } from '../cursor.js';
import { iso } from '../sqlite/rows.js';
import type { ErasedIdentity, ErasureReport, IdentityType, Page, PageQuery, PersonDetail, PersonExport } from '../types.js';
import { PERSON_AND_ALIASES } from './postgres-rows.js';
import { changes, inTransaction, query, rows } from './postgres-sql.js';

/**
 * Privacy requests for the PostgreSQL store: export everything about a person, erase them.
 * Erasure deletes the rows in one transaction; PostgreSQL reclaims their space at the next
 * (auto)vacuum, so "gone from disk" depends on vacuum and on the WAL archive's retention, which
 * an operator of PostgreSQL owns (docs/SCALING.md).
 */
export function createPostgresPrivacy(pool: pg.Pool, clock: Clock) {
  const toJson = (row: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        key === 'from_traits' && typeof value === 'string' ? JSON.parse(value) : key.endsWith('_at') && typeof value === 'number' ? iso(value) : value,
      ]),
    );

  return {
    async exportPerson(projectId: string, person: PersonDetail): Promise<PersonExport> {
      const params = { id: person.id, projectId };
      const [deliveries, merges] = await Promise.all([
        rows(pool, `SELECT * FROM deliveries WHERE person_id ${PERSON_AND_ALIASES} ORDER BY created_at`, { id: person.id }),
        rows(pool, `SELECT outcome, from_person_id, into_person_id, anonymous_id, user_id, message_id, reason, from_traits, created_at
          FROM merges WHERE project_id = @projectId AND (into_person_id = @id OR from_person_id ${PERSON_AND_ALIASES}) ORDER BY id`, params),
      ]);
      return { exportedAt: iso(clock.now()), person, deliveries: deliveries.map(toJson), merges: merges.map(toJson) };
    },

    async erasePerson(projectId: string, personId: string): Promise<ErasureReport> {
      return inTransaction(pool, async (client) => {
        const params = { id: personId, projectId };
        const identities = await rows<{ type: IdentityType; value: string }>(client, 'SELECT type, value FROM identities WHERE person_id = $1', [personId]);
        const now = clock.now();
        for (const identity of identities) {
          await query(client, `INSERT INTO erased_identities (project_id, type, value, erased_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (project_id, type, value) DO UPDATE SET erased_at = excluded.erased_at`, [projectId, identity.type, erasureKey(identity.type, identity.value), now]);
        }
        const deliveries = await changes(client, `DELETE FROM deliveries WHERE person_id ${PERSON_AND_ALIASES}`, { id: personId });
        const events = await changes(client, `DELETE FROM events WHERE person_id ${PERSON_AND_ALIASES}`, { id: personId });
        await query(client, `DELETE FROM merges WHERE project_id = @projectId AND (into_person_id = @id OR from_person_id ${PERSON_AND_ALIASES})`, params);
        await query(client, 'DELETE FROM identities WHERE person_id = $1', [personId]);
        await query(client, 'DELETE FROM company_members WHERE person_id = $1', [personId]);
        // Lists hold merged-away ids too (a lead imported onto a list, then merged).
        await query(client, `DELETE FROM list_members WHERE project_id = @projectId AND person_id ${PERSON_AND_ALIASES}`, params);
        // Kept memberships, daily counts and the re-check time, as on SQLite (sqlite-segments.ts, forget).
        await query(client, `DELETE FROM segment_members WHERE project_id = @projectId AND person_id ${PERSON_AND_ALIASES}`, params);
        await query(client, `DELETE FROM event_daily_counts WHERE project_id = @projectId AND person_id ${PERSON_AND_ALIASES}`, params);
        await query(client, `DELETE FROM audience_rechecks WHERE project_id = @projectId AND person_id ${PERSON_AND_ALIASES}`, params);
        await query(client, 'DELETE FROM person_aliases WHERE person_id = $1', [personId]);
        await query(client, 'DELETE FROM people WHERE id = $1', [personId]);
        return { personId, events, deliveries, erasedIdentities: identities };
      });
    },

    async listErased(projectId: string, page: PageQuery): Promise<Page<ErasedIdentity>> {
      const [beforeAt, beforeKey] = cursorKey(page.cursor, ['number', 'string']);
      const found = await rows<{ type: IdentityType; value: string; erased_at: number }>(pool, `SELECT type, value, erased_at FROM erased_identities WHERE project_id = @projectId
          AND (@beforeAt::bigint IS NULL OR erased_at < @beforeAt OR (erased_at = @beforeAt AND type || ':' || value < @beforeKey::text))
        ORDER BY erased_at DESC, type || ':' || value DESC LIMIT @limit`, { projectId, beforeAt, beforeKey, limit: page.limit + 1 });
      return toPage(found, page.limit, (row) => ({ type: row.type, value: row.value, erasedAt: iso(row.erased_at) }), (row) => [row.erased_at, `${row.type}:${row.value}`]);
    },

    async lift(projectId: string, type: IdentityType, value: string): Promise<boolean> {
      return (await changes(pool, 'DELETE FROM erased_identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, erasureKey(type, value)])) > 0;
    },
  };
}
