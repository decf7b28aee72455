import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { decodeCursor, InvalidCursorError, toPage } from '../cursor.js';
import type { List, ListStore, PersonRef } from '../list-store.js';
import { iso, toPersonSummary, type PersonRow } from './rows.js';

interface ListRow {
  id: string;
  name: string;
  size: number;
  created_at: number;
  updated_at: number;
}

const toList = (row: ListRow): List => ({ id: row.id, name: row.name, size: row.size, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at) });

import type { ChangedPeople } from '../../audiences/changed-people.js';
import type { AudienceUnit } from './sqlite-segments.js';

const markList = (changed: ChangedPeople, projectId: string, personIds: readonly string[], listId: string): void => {
  for (const personId of personIds) changed.mark(projectId, personId, { lists: [listId] });
};

/** The id a person is known by now: a merged-away id points at the survivor. */
const CURRENT_ID = '(SELECT coalesce((SELECT person_id FROM person_aliases WHERE alias_id = @person), @person))';

/* Tables `lists`, `list_members` (migration 5). */
/**
 * Static lists on SQLite. Adding or removing people runs in an audience unit (`unit`), so the
 * segments that name the list are re-evaluated for them in the same transaction.
 */
export function createSqliteLists(db: Database, unit: AudienceUnit): ListStore {
  const SIZE = '(SELECT count(*) FROM list_members m WHERE m.project_id = l.project_id AND m.list_id = l.id) AS size';
  const q = {
    insert: db.prepare('INSERT INTO lists (project_id, id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
    get: db.prepare(`SELECT l.id, l.name, l.created_at, l.updated_at, ${SIZE} FROM lists l WHERE l.project_id = ? AND l.id = ?`),
    page: db.prepare(`SELECT l.id, l.name, l.created_at, l.updated_at, ${SIZE} FROM lists l WHERE l.project_id = @project
      AND (@beforeAt IS NULL OR l.created_at < @beforeAt OR (l.created_at = @beforeAt AND l.id < @beforeId))
      ORDER BY l.created_at DESC, l.id DESC LIMIT @limit`),
    rename: db.prepare('UPDATE lists SET name = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM lists WHERE project_id = ? AND id = ?'),
    members: db.prepare('SELECT person_id FROM list_members WHERE project_id = ? AND list_id = ?').pluck(),
    removeMembers: db.prepare('DELETE FROM list_members WHERE project_id = ? AND list_id = ?'),
    current: db.prepare(`SELECT id FROM people WHERE project_id = @project AND id = ${CURRENT_ID}`).pluck(),
    add: db.prepare('INSERT INTO list_members (project_id, list_id, person_id, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    drop: db.prepare(`DELETE FROM list_members WHERE project_id = @project AND list_id = @list
      AND person_id IN (SELECT @person UNION ALL SELECT alias_id FROM person_aliases WHERE person_id = @person)`),
    touch: db.prepare('UPDATE lists SET updated_at = ? WHERE project_id = ? AND id = ?'),
    byIdentity: db.prepare('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    people: db.prepare(`SELECT p.id, p.kind, p.user_id, p.email, p.traits, p.traits_at, p.created_at, p.last_seen_at, m.added_at
      FROM list_members m
      -- A lead imported onto a list and later merged into a user stays on it as that user.
      JOIN people p ON p.id = coalesce((SELECT a.person_id FROM person_aliases a WHERE a.alias_id = m.person_id), m.person_id)
      WHERE m.project_id = @project AND m.list_id = @list
        AND (@beforeAt IS NULL OR m.added_at < @beforeAt OR (m.added_at = @beforeAt AND p.id < @beforeId))
      ORDER BY m.added_at DESC, p.id DESC LIMIT @limit`),
  };

  const cursor = (value: string | null): [number | null, string | null] => {
    if (!value) return [null, null];
    const key = decodeCursor(value, ['number', 'string']);
    if (!key) throw new InvalidCursorError();
    return [key[0] as number, key[1] as string];
  };

  const currentIds = (projectId: string, personIds: string[]): string[] => {
    const ids = new Set<string>();
    for (const person of personIds) {
      const id = q.current.get({ project: projectId, person }) as string | undefined;
      if (id) ids.add(id);
    }
    return [...ids];
  };

  const exists = (projectId: string, listId: string): boolean => q.get.get(projectId, listId) !== undefined;

  const addPeople = db.transaction((changed: ChangedPeople, projectId: string, listId: string, personIds: string[], now: number): number => {
    if (!exists(projectId, listId)) return -1;
    const ids = currentIds(projectId, personIds);
    const added = ids.filter((id) => q.add.run(projectId, listId, id, now).changes > 0);
    if (added.length) {
      q.touch.run(now, projectId, listId);
      markList(changed, projectId, added, listId);
    }
    return added.length;
  });

  const removePeople = db.transaction((changed: ChangedPeople, projectId: string, listId: string, personIds: string[], now: number): number => {
    if (!exists(projectId, listId)) return -1;
    const ids = currentIds(projectId, personIds);
    const removed = ids.filter((person) => q.drop.run({ project: projectId, list: listId, person }).changes > 0);
    if (removed.length) {
      q.touch.run(now, projectId, listId);
      markList(changed, projectId, removed, listId);
    }
    return removed.length;
  });

  const removeList = db.transaction((changed: ChangedPeople, projectId: string, listId: string): boolean => {
    const members = q.members.all(projectId, listId) as string[];
    q.removeMembers.run(projectId, listId);
    const gone = q.remove.run(projectId, listId).changes > 0;
    markList(changed, projectId, members, listId);
    return gone;
  });

  return {
    async create(projectId, name, now) {
      const id = randomUUID();
      q.insert.run(projectId, id, name, now, now);
      return toList(q.get.get(projectId, id) as ListRow);
    },
    async get(projectId, listId) {
      const row = q.get.get(projectId, listId) as ListRow | undefined;
      return row ? toList(row) : null;
    },
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursor(query.cursor);
      const rows = q.page.all({ project: projectId, beforeAt, beforeId, limit: query.limit + 1 }) as ListRow[];
      return toPage(rows, query.limit, toList, (row) => [row.created_at, row.id]);
    },
    async rename(projectId, listId, name, now) {
      if (q.rename.run(name, now, projectId, listId).changes === 0) return null;
      return toList(q.get.get(projectId, listId) as ListRow);
    },
    async remove(projectId, listId) {
      return unit(1, (changed) => removeList(changed, projectId, listId));
    },
    async addPeopleToList(projectId, listId, personIds, now) {
      return Math.max(0, await unit(personIds.length, (changed) => addPeople(changed, projectId, listId, personIds, now)));
    },
    async removePeopleFromList(projectId, listId, personIds, now) {
      return Math.max(0, await unit(personIds.length, (changed) => removePeople(changed, projectId, listId, personIds, now)));
    },
    async resolvePeople(projectId, refs: PersonRef[]) {
      const personIds: string[] = [];
      const missing: number[] = [];
      refs.forEach((ref, i) => {
        const id =
          'id' in ref
            ? (q.current.get({ project: projectId, person: ref.id }) as string | undefined)
            : (q.byIdentity.get(projectId, 'email' in ref ? 'email' : 'user', 'email' in ref ? ref.email : ref.userId) as string | undefined);
        if (id) personIds.push(id);
        else missing.push(i);
      });
      return { personIds, missing };
    },
    async people(projectId, listId, query) {
      const [beforeAt, beforeId] = cursor(query.cursor);
      const rows = q.people.all({ project: projectId, list: listId, beforeAt, beforeId, limit: query.limit + 1 }) as (PersonRow & { added_at: number })[];
      return toPage(rows, query.limit, toPersonSummary, (row) => [row.added_at, row.id]);
    },
  };
}
