import type { Database } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { erasureKey } from '../../identity/erasure-key.js';
import { cursorKey, toPage } from '../cursor.js';
import type { ErasedIdentity, ErasureReport, IdentityType, Page, PageQuery, PersonDetail, PersonExport } from '../types.js';
import { iso, PERSON_AND_ALIASES } from './rows.js';

/**
 * Privacy requests for the SQLite store: export everything about a person, erase them.
 *
 * Purge means gone from the files too. A DELETE only unlinks rows: their bytes stay in the freed
 * space of the page and in freed pages until something overwrites them, and every page the
 * person's rows ever sat on is also in the WAL until it is reset. So the writer connection runs
 * with `secure_delete = ON` (set where the store opens it, before migrations), which zeroes
 * deleted content and freed pages as they are written (FAST would leave freed pages as they
 * were), and an erasure ends with a TRUNCATE checkpoint: the zeroed pages reach the database
 * file and the WAL is cut to nothing.
 */
export function createSqlitePrivacy(db: Database, clock: Clock) {
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
  const q = {
    deliveries: db.prepare(`SELECT * FROM deliveries WHERE person_id IN ${PERSON_AND_ALIASES} ORDER BY created_at`),
    merges: db.prepare(`SELECT outcome, from_person_id, into_person_id, anonymous_id, user_id, message_id, reason, from_traits, created_at
      FROM merges WHERE project_id = @projectId AND (into_person_id = @id OR from_person_id IN ${PERSON_AND_ALIASES}) ORDER BY id`),
    identities: db.prepare('SELECT type, value FROM identities WHERE person_id = ?'),
    deleteEvents: db.prepare(`DELETE FROM events WHERE person_id IN ${PERSON_AND_ALIASES}`),
    deleteDeliveries: db.prepare(`DELETE FROM deliveries WHERE person_id IN ${PERSON_AND_ALIASES}`),
    deleteMerges: db.prepare(`DELETE FROM merges WHERE project_id = @projectId AND (into_person_id = @id OR from_person_id IN ${PERSON_AND_ALIASES})`),
    deleteIdentities: db.prepare('DELETE FROM identities WHERE person_id = ?'),
    deleteMembers: db.prepare('DELETE FROM company_members WHERE person_id = ?'),
    deleteAliases: db.prepare('DELETE FROM person_aliases WHERE person_id = ?'),
    deletePerson: db.prepare('DELETE FROM people WHERE id = ?'),
    erase: db.prepare('INSERT OR REPLACE INTO erased_identities (project_id, type, value, erased_at) VALUES (?, ?, ?, ?)'),
    erased: db.prepare(`SELECT type, value, erased_at FROM erased_identities WHERE project_id = @projectId
      AND (@beforeAt IS NULL OR erased_at < @beforeAt OR (erased_at = @beforeAt AND type || ':' || value < @beforeKey))
      ORDER BY erased_at DESC, type || ':' || value DESC LIMIT @limit`),
    lift: db.prepare('DELETE FROM erased_identities WHERE project_id = ? AND type = ? AND value = ?'),
  };

  const toJson = (row: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        key === 'from_traits' && typeof value === 'string' ? JSON.parse(value) : key.endsWith('_at') && typeof value === 'number' ? iso(value) : value,
      ]),
    );

  return {
    exportPerson(projectId: string, person: PersonDetail): PersonExport {
      const params = { id: person.id, projectId };
      return {
        exportedAt: iso(clock.now()),
        person,
        deliveries: (q.deliveries.all(params) as Record<string, unknown>[]).map(toJson),
        merges: (q.merges.all(params) as Record<string, unknown>[]).map(toJson),
      };
    },

    erasePerson(projectId: string, personId: string): ErasureReport {
      const report = db.transaction(() => {
        const params = { id: personId, projectId };
        const identities = q.identities.all(personId) as { type: IdentityType; value: string }[];
        const now = clock.now();
        for (const identity of identities) q.erase.run(projectId, identity.type, erasureKey(identity.type, identity.value), now);
        const deliveries = q.deleteDeliveries.run(params).changes;
        const events = q.deleteEvents.run(params).changes;
        q.deleteMerges.run(params);
        q.deleteIdentities.run(personId);
        q.deleteMembers.run(personId);
        q.deleteAliases.run(personId);
        q.deletePerson.run(personId);
        return { personId, events, deliveries, erasedIdentities: identities };
      })();
      // Waits (busy_timeout) for the checkpointer thread's own pass to end, then copies every
      // frame back and empties the WAL; rare and admin-driven, so it may take the event loop.
      checkpoint.get();
      return report;
    },

    /** Cheap check so ingest skips the erased-identity lookups while nobody was ever erased. */
    listErased(projectId: string, query: PageQuery): Page<ErasedIdentity> {
      const [beforeAt, beforeKey] = cursorKey(query.cursor, ['number', 'string']);
      const rows = q.erased.all({ projectId, beforeAt, beforeKey, limit: query.limit + 1 }) as { type: IdentityType; value: string; erased_at: number }[];
      return toPage(
        rows,
        query.limit,
        (row) => ({ type: row.type, value: row.value, erasedAt: iso(row.erased_at) }),
        (row) => [row.erased_at, `${row.type}:${row.value}`],
      );
    },

    lift(projectId: string, type: IdentityType, value: string): boolean {
      return q.lift.run(projectId, type, erasureKey(type, value)).changes > 0;
    },
  };
}
