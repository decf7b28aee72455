import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cursorKey, toPage } from '../cursor.js';
import type { List, ListStore, PersonRef } from '../list-store.js';
import { iso, toPersonSummary, type PersonRow } from '../sqlite/rows.js';
import type { ChangedPeople } from '../../audiences/changed-people.js';
import type { PostgresAudienceUnit } from './postgres-audience-unit.js';
import { changes, one, rows, type Queryable } from './postgres-sql.js';

interface ListRow {
  id: string;
  name: string;
  size: number;
  created_at: number;
  updated_at: number;
}

const toList = (row: ListRow): List => ({ id: row.id, name: row.name, size: row.size, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at) });

/** Told of the people a change added, on the transaction that added them (automations' list triggers). */
export type ListAddedHook = (client: pg.PoolClient, projectId: string, personIds: readonly string[], listId: string, at: number) => Promise<void>;

const SIZE = '(SELECT count(*) FROM list_members m WHERE m.project_id = l.project_id AND m.list_id = l.id) AS size';
const GET = `SELECT l.id, l.name, l.created_at, l.updated_at, ${SIZE} FROM lists l WHERE l.project_id = $1 AND l.id = $2`;
/** The id a person is known by now: a merged-away id points at the survivor. */
const CURRENT_ID = 'coalesce((SELECT person_id FROM person_aliases WHERE alias_id = @person), @person::text)';

/**
 * Static lists on PostgreSQL (tables `lists`, `list_members`, PG migration 10): the statements of
 * sqlite-lists.ts. Each change of membership is one transaction that first takes the list row
 * `FOR SHARE`, so a list deleted by another collector meanwhile is either seen gone (the change
 * answers "no list") or deleted after the change commits, never left with orphan members; two
 * collectors adding the same person meet on the primary key (`ON CONFLICT DO NOTHING`), and only
 * the one that inserted counts them as added.
 *
 * As on SQLite, every change of membership is an audience unit (postgres-audience-unit.ts): the
 * people it added or removed are re-evaluated against the segments that name the list, in the
 * same transaction. `onAdded` is the automations' hook, called on the same client before COMMIT.
 */
export function createPostgresLists(pool: pg.Pool, unit: PostgresAudienceUnit, onAdded: ListAddedHook = async () => undefined): ListStore {
  const get = async (db: Queryable, projectId: string, listId: string): Promise<List | null> => {
    const row = await one<ListRow>(db, GET, [projectId, listId]);
    return row ? toList(row) : null;
  };

  /** The people's current ids, once each, skipping ids the project does not hold. */
  const currentIds = async (db: Queryable, projectId: string, personIds: readonly string[]): Promise<string[]> => {
    if (!personIds.length) return [];
    const found = await rows<{ id: string }>(db, `SELECT DISTINCT p.id FROM unnest($2::text[]) AS given(person)
      JOIN people p ON p.project_id = $1 AND p.id = coalesce((SELECT a.person_id FROM person_aliases a WHERE a.alias_id = given.person), given.person)`,
    [projectId, [...personIds]]);
    return found.map((row) => row.id);
  };

  /** Runs a membership change on a list that exists (locked FOR SHARE); -1 when it does not. */
  const onList = (projectId: string, listId: string, change: (client: pg.PoolClient, changed: ChangedPeople) => Promise<number>): Promise<number> =>
    unit(async (changed, _audience, client) => {
      if (!(await one(client, 'SELECT 1 AS found FROM lists WHERE project_id = $1 AND id = $2 FOR SHARE', [projectId, listId]))) return -1;
      return change(client, changed);
    });
  const markList = (changed: ChangedPeople, projectId: string, personIds: readonly string[], listId: string): void => {
    for (const personId of personIds) changed.mark(projectId, personId, { lists: [listId] });
  };

  return {
    async create(projectId, name, now) {
      const id = randomUUID();
      await changes(pool, 'INSERT INTO lists (project_id, id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [projectId, id, name, now]);
      return (await get(pool, projectId, id))!;
    },
    get: (projectId, listId) => get(pool, projectId, listId),
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<ListRow>(pool, `SELECT l.id, l.name, l.created_at, l.updated_at, ${SIZE} FROM lists l WHERE l.project_id = @project
          AND (@beforeAt::bigint IS NULL OR l.created_at < @beforeAt OR (l.created_at = @beforeAt AND l.id < @beforeId::text))
        ORDER BY l.created_at DESC, l.id DESC LIMIT @limit`, { project: projectId, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toList, (row) => [row.created_at, row.id]);
    },
    async rename(projectId, listId, name, now) {
      if ((await changes(pool, 'UPDATE lists SET name = $3, updated_at = $4 WHERE project_id = $1 AND id = $2', [projectId, listId, name, now])) === 0) return null;
      return get(pool, projectId, listId);
    },
    async remove(projectId, listId) {
      return unit(async (changed, _audience, client) => {
        // The list row first: a concurrent change holding it FOR SHARE commits before this goes on.
        const gone = (await changes(client, 'DELETE FROM lists WHERE project_id = $1 AND id = $2', [projectId, listId])) > 0;
        const members = await rows<{ person_id: string }>(client, 'DELETE FROM list_members WHERE project_id = $1 AND list_id = $2 RETURNING person_id', [projectId, listId]);
        markList(changed, projectId, members.map((row) => row.person_id), listId);
        return gone;
      });
    },
    async addPeopleToList(projectId, listId, personIds, now) {
      const added = await onList(projectId, listId, async (client, changed) => {
        const ids = await currentIds(client, projectId, personIds);
        if (!ids.length) return 0;
        const inserted = await rows<{ person_id: string }>(client, `INSERT INTO list_members (project_id, list_id, person_id, added_at)
          SELECT $1, $2, person, $4 FROM unnest($3::text[]) AS person ON CONFLICT DO NOTHING RETURNING person_id`, [projectId, listId, ids, now]);
        if (inserted.length) {
          await changes(client, 'UPDATE lists SET updated_at = $3 WHERE project_id = $1 AND id = $2', [projectId, listId, now]);
          markList(changed, projectId, inserted.map((row) => row.person_id), listId);
          await onAdded(client, projectId, inserted.map((row) => row.person_id), listId, now);
        }
        return inserted.length;
      });
      return Math.max(0, added);
    },
    async removePeopleFromList(projectId, listId, personIds, now) {
      const removed = await onList(projectId, listId, async (client, changed) => {
        const ids = await currentIds(client, projectId, personIds);
        if (!ids.length) return 0;
        // A person counts once however many of their merged-away ids were on the list.
        const dropped = await rows<{ person: string }>(client, `DELETE FROM list_members m USING (
            SELECT p AS person, p AS member FROM unnest($3::text[]) AS p
            UNION ALL SELECT a.person_id, a.alias_id FROM person_aliases a WHERE a.person_id = ANY($3::text[])) AS who
          WHERE m.project_id = $1 AND m.list_id = $2 AND m.person_id = who.member RETURNING who.person`, [projectId, listId, ids]);
        const who = [...new Set(dropped.map((row) => row.person))];
        markList(changed, projectId, who, listId);
        const people = who.length;
        if (people) await changes(client, 'UPDATE lists SET updated_at = $3 WHERE project_id = $1 AND id = $2', [projectId, listId, now]);
        return people;
      });
      return Math.max(0, removed);
    },
    async resolvePeople(projectId, refs: PersonRef[]) {
      const personIds: string[] = [];
      const missing: number[] = [];
      for (const [i, ref] of refs.entries()) {
        const found =
          'id' in ref
            ? await one<{ id: string }>(pool, `SELECT id FROM people WHERE project_id = @project AND id = ${CURRENT_ID}`, { project: projectId, person: ref.id })
            : await one<{ id: string }>(pool, 'SELECT person_id AS id FROM identities WHERE project_id = $1 AND type = $2 AND value = $3',
              [projectId, 'email' in ref ? 'email' : 'user', 'email' in ref ? ref.email : ref.userId]);
        if (found) personIds.push(found.id);
        else missing.push(i);
      }
      return { personIds, missing };
    },
    async people(projectId, listId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<PersonRow & { added_at: number }>(pool, `SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at, m.added_at
        FROM list_members m
        -- A lead imported onto a list and later merged into a user stays on it as that user.
        JOIN people p ON p.id = coalesce((SELECT a.person_id FROM person_aliases a WHERE a.alias_id = m.person_id), m.person_id)
        WHERE m.project_id = @project AND m.list_id = @list
          AND (@beforeAt::bigint IS NULL OR m.added_at < @beforeAt OR (m.added_at = @beforeAt AND p.id < @beforeId::text))
        ORDER BY m.added_at DESC, p.id DESC LIMIT @limit`, { project: projectId, list: listId, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toPersonSummary, (row) => [row.added_at, row.id]);
    },
  };
}
