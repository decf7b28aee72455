import type { Database } from 'better-sqlite3';
import type { CompanyItem, CompanyStore } from '../company-store.js';
import { decodeCursor, InvalidCursorError, toPage } from '../cursor.js';
import { likePattern, toCompanyItem, type CompanyItemRow } from '../company-rows.js';
import type { PersonRef } from '../list-store.js';
import { toPersonSummary, type PersonRow } from './rows.js';
import type { SqliteContacts } from './sqlite-contacts.js';
import type { AudienceUnit } from './sqlite-segments.js';
import type { ChangedPeople } from '../../audiences/changed-people.js';

/** Companies on SQLite: the rows `group` calls write (sqlite-ingest.ts applyGroup), managed by the admin API. */
export function createSqliteCompanies(db: Database, contacts: SqliteContacts, unit: AudienceUnit): CompanyStore {
  const SIZE = '(SELECT count(*) FROM company_members m WHERE m.project_id = c.project_id AND m.company_id = c.id) AS size';
  const COLUMNS = `c.id, c.traits, c.created_at, c.updated_at, ${SIZE}`;
  const q = {
    get: db.prepare(`SELECT ${COLUMNS} FROM companies c WHERE c.project_id = ? AND c.id = ?`),
    page: db.prepare(`SELECT ${COLUMNS} FROM companies c WHERE c.project_id = @project
      AND (@search IS NULL OR lower(c.id) LIKE @search ESCAPE '\\' OR lower(json_extract(c.traits, '$.name')) LIKE @search ESCAPE '\\')
      AND (@beforeAt IS NULL OR c.created_at < @beforeAt OR (c.created_at = @beforeAt AND c.id < @beforeId))
      ORDER BY c.created_at DESC, c.id DESC LIMIT @limit`),
    insert: db.prepare(`INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (project_id, id) DO NOTHING`),
    traits: db.prepare('SELECT traits, traits_at FROM companies WHERE project_id = ? AND id = ?'),
    update: db.prepare('UPDATE companies SET traits = ?, traits_at = ?, updated_at = ? WHERE project_id = ? AND id = ?'),
    remove: db.prepare('DELETE FROM companies WHERE project_id = ? AND id = ?'),
    removeMembers: db.prepare('DELETE FROM company_members WHERE project_id = ? AND company_id = ?'),
    owner: db.prepare('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    alias: db.prepare('SELECT person_id FROM person_aliases WHERE project_id = ? AND alias_id = ?').pluck(),
    person: db.prepare('SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at FROM people WHERE project_id = ? AND id = ?'),
    isMember: db.prepare('SELECT 1 FROM company_members WHERE project_id = ? AND company_id = ? AND person_id = ?').pluck(),
    addMember: db.prepare('INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    removeMember: db.prepare('DELETE FROM company_members WHERE project_id = ? AND company_id = ? AND person_id = ?'),
    memberIds: db.prepare('SELECT person_id FROM company_members WHERE project_id = ? AND company_id = ?').pluck(),
  };
  /** The company's traits or membership changed for its members: their company segments re-evaluate. */
  const markMembers = (changed: ChangedPeople, projectId: string, companyId: string): void => {
    for (const personId of q.memberIds.all(projectId, companyId) as string[]) changed.mark(projectId, personId, { companies: true });
  };
  const get = (projectId: string, companyId: string): CompanyItem | null => {
    const row = q.get.get(projectId, companyId) as CompanyItemRow | undefined;
    return row ? toCompanyItem(row) : null;
  };
  /** The person a reference names now (a merged-away id answers with the survivor). */
  const findPerson = (projectId: string, ref: PersonRef): PersonRow | null => {
    let id: string | undefined;
    if ('id' in ref) id = (q.alias.get(projectId, ref.id) as string | undefined) ?? ref.id;
    else if ('email' in ref) id = q.owner.get(projectId, 'email', ref.email) as string | undefined;
    else id = q.owner.get(projectId, 'user', ref.userId) as string | undefined;
    return id ? ((q.person.get(projectId, id) as PersonRow | undefined) ?? null) : null;
  };

  return {
    async list(projectId, query) {
      let before: [number | null, string | null] = [null, null];
      if (query.cursor) {
        const key = decodeCursor(query.cursor, ['number', 'string']);
        if (!key) throw new InvalidCursorError();
        before = [key[0] as number, key[1] as string];
      }
      const rows = q.page.all({
        project: projectId,
        search: query.search ? likePattern(query.search) : null,
        beforeAt: before[0],
        beforeId: before[1],
        limit: query.limit + 1,
      }) as CompanyItemRow[];
      return toPage(rows, query.limit, toCompanyItem, (row) => [row.created_at, row.id]);
    },

    async get(projectId, companyId) {
      return get(projectId, companyId);
    },

    async create(projectId, companyId, traits, now) {
      const inserted = q.insert.run(projectId, companyId, JSON.stringify(traits), now, now, now).changes === 1;
      return inserted ? get(projectId, companyId) : null;
    },

    async update(projectId, companyId, patch, now) {
      const done = await unit(1, (changed) => db.transaction(() => {
        const row = q.traits.get(projectId, companyId) as { traits: string; traits_at: number } | undefined;
        if (!row) return false;
        const traits = JSON.parse(row.traits) as Record<string, unknown>;
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete traits[key];
          else traits[key] = value;
        }
        // The admin's edit is the newest word: a late group call older than it only fills gaps.
        q.update.run(JSON.stringify(traits), Math.max(row.traits_at, now), now, projectId, companyId);
        markMembers(changed, projectId, companyId);
        return true;
      })());
      return done ? get(projectId, companyId) : null;
    },

    async remove(projectId, companyId) {
      return unit(1, (changed) => db.transaction(() => {
        markMembers(changed, projectId, companyId);
        q.removeMembers.run(projectId, companyId);
        return q.remove.run(projectId, companyId).changes === 1;
      })());
    },

    async addPerson(projectId, companyId, who, now) {
      return unit(1, (changed) => db.transaction(() => {
        if (!q.get.get(projectId, companyId)) return { status: 'no_company' } as const;
        let person: PersonRow | null;
        let created = false;
        if ('contact' in who) {
          const saved = contacts.save(projectId, who.contact, now, { updateExisting: false });
          if (saved.status === 'rejected') return { status: 'rejected', reason: saved.reason } as const;
          created = saved.status === 'created';
          person = q.person.get(projectId, saved.personId) as PersonRow;
        } else {
          person = findPerson(projectId, who);
          if (!person) return { status: 'no_person' } as const;
        }
        const already = q.isMember.get(projectId, companyId, person.id) === 1;
        if (!already) q.addMember.run(projectId, companyId, person.id, now);
        if (created) changed.mark(projectId, person.id, { all: true, created: true });
        else if (!already) changed.mark(projectId, person.id, { companies: true });
        return { status: already ? 'already_member' : 'added', person: toPersonSummary(person), created } as const;
      })());
    },

    async removePerson(projectId, companyId, personId) {
      const id = (q.alias.get(projectId, personId) as string | undefined) ?? personId;
      return unit(1, (changed) => {
        const removed = q.removeMember.run(projectId, companyId, id).changes === 1;
        if (removed) changed.mark(projectId, id, { companies: true });
        return removed;
      });
    },
  };
}
