import type pg from 'pg';
import type { CompanyItem, CompanyStore } from '../company-store.js';
import { cursorKey, toPage } from '../cursor.js';
import { likePattern, toCompanyItem, type CompanyItemRow } from '../company-rows.js';
import type { PersonRef } from '../list-store.js';
import { toPersonSummary, type PersonRow } from '../sqlite/rows.js';
import type { PostgresContacts } from './postgres-contacts.js';
import type { ChangedPeople } from '../../audiences/changed-people.js';
import type { PostgresAudienceUnit } from './postgres-audience-unit.js';
import { changes, one, rows, type Queryable } from './postgres-sql.js';

const SIZE = '(SELECT count(*) FROM company_members m WHERE m.project_id = c.project_id AND m.company_id = c.id) AS size';
const COLUMNS = `c.id, c.traits, c.created_at, c.updated_at, ${SIZE}`;
const PERSON = 'SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at FROM people WHERE project_id = $1 AND id = $2';

/**
 * Companies on PostgreSQL for the admin API (tables `companies`, `company_members` from PG
 * migration 1, which `group` calls write at ingest; the newest-first index is PG migration 11):
 * the statements of sqlite-companies.ts. An edit reads the company `FOR UPDATE`, so an admin's
 * edit and a `group` call on another collector apply one after the other, neither lost; adding
 * a person takes the company row `FOR SHARE`, so a concurrent delete leaves no orphan member.
 *
 * As on SQLite, a change that moves a company's traits or members is an audience unit
 * (postgres-audience-unit.ts): the members' company segments re-evaluate in the same transaction.
 */
export function createPostgresCompanies(pool: pg.Pool, contacts: PostgresContacts, unit: PostgresAudienceUnit): CompanyStore {
  /** The company's traits or membership changed for its members: their company segments re-evaluate. */
  const markMembers = async (client: pg.PoolClient, changed: ChangedPeople, projectId: string, companyId: string): Promise<void> => {
    const members = await rows<{ person_id: string }>(client, 'SELECT person_id FROM company_members WHERE project_id = $1 AND company_id = $2', [projectId, companyId]);
    for (const { person_id } of members) changed.mark(projectId, person_id, { companies: true });
  };
  const get = async (db: Queryable, projectId: string, companyId: string): Promise<CompanyItem | null> => {
    const row = await one<CompanyItemRow>(db, `SELECT ${COLUMNS} FROM companies c WHERE c.project_id = $1 AND c.id = $2`, [projectId, companyId]);
    return row ? toCompanyItem(row) : null;
  };
  const currentId = async (db: Queryable, projectId: string, personId: string): Promise<string> =>
    (await one<{ person_id: string }>(db, 'SELECT person_id FROM person_aliases WHERE project_id = $1 AND alias_id = $2', [projectId, personId]))?.person_id ?? personId;
  /** The person a reference names now (a merged-away id answers with the survivor). */
  const findPerson = async (db: Queryable, projectId: string, ref: PersonRef): Promise<PersonRow | null> => {
    let id: string | undefined;
    if ('id' in ref) id = await currentId(db, projectId, ref.id);
    else {
      const [type, value] = 'email' in ref ? ['email', ref.email] : ['user', ref.userId];
      id = (await one<{ person_id: string }>(db, 'SELECT person_id FROM identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value]))?.person_id;
    }
    return id ? ((await one<PersonRow>(db, PERSON, [projectId, id])) ?? null) : null;
  };

  return {
    async list(projectId, query) {
      const [beforeAt, beforeId] = cursorKey(query.cursor, ['number', 'string']);
      const found = await rows<CompanyItemRow>(pool, `SELECT ${COLUMNS} FROM companies c WHERE c.project_id = @project
          AND (@search::text IS NULL OR lower(c.id) LIKE @search ESCAPE '\\' OR lower(c.traits::jsonb ->> 'name') LIKE @search ESCAPE '\\')
          AND (@beforeAt::bigint IS NULL OR c.created_at < @beforeAt OR (c.created_at = @beforeAt AND c.id < @beforeId::text))
        ORDER BY c.created_at DESC, c.id DESC LIMIT @limit`,
      { project: projectId, search: query.search ? likePattern(query.search) : null, beforeAt, beforeId, limit: query.limit + 1 });
      return toPage(found, query.limit, toCompanyItem, (row) => [row.created_at, row.id]);
    },

    get: (projectId, companyId) => get(pool, projectId, companyId),

    async create(projectId, companyId, traits, now) {
      const inserted = await changes(pool, `INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)
        ON CONFLICT (project_id, id) DO NOTHING`, [projectId, companyId, JSON.stringify(traits), now]);
      return inserted === 1 ? get(pool, projectId, companyId) : null;
    },

    async update(projectId, companyId, patch, now) {
      const done = await unit(async (changed, _audience, client) => {
        const row = await one<{ traits: string; traits_at: number }>(client, 'SELECT traits, traits_at FROM companies WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, companyId]);
        if (!row) return false;
        const traits = JSON.parse(row.traits) as Record<string, unknown>;
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete traits[key];
          else traits[key] = value;
        }
        // The admin's edit is the newest word: a late group call older than it only fills gaps.
        await changes(client, 'UPDATE companies SET traits = $1, traits_at = $2, updated_at = $3 WHERE project_id = $4 AND id = $5',
          [JSON.stringify(traits), Math.max(row.traits_at, now), now, projectId, companyId]);
        await markMembers(client, changed, projectId, companyId);
        return true;
      });
      return done ? get(pool, projectId, companyId) : null;
    },

    async remove(projectId, companyId) {
      return unit(async (changed, _audience, client) => {
        // The company row first: an addPerson holding it FOR SHARE commits before this goes on.
        const gone = (await changes(client, 'DELETE FROM companies WHERE project_id = $1 AND id = $2', [projectId, companyId])) === 1;
        const members = await rows<{ person_id: string }>(client, 'DELETE FROM company_members WHERE project_id = $1 AND company_id = $2 RETURNING person_id', [projectId, companyId]);
        for (const { person_id } of members) changed.mark(projectId, person_id, { companies: true });
        return gone;
      });
    },

    async addPerson(projectId, companyId, who, now) {
      return unit(async (changed, _audience, client) => {
        if (!(await one(client, 'SELECT 1 AS found FROM companies WHERE project_id = $1 AND id = $2 FOR SHARE', [projectId, companyId]))) return { status: 'no_company' } as const;
        let person: PersonRow | null;
        let created = false;
        if ('contact' in who) {
          const saved = await contacts.save(client, projectId, who.contact, now, { updateExisting: false });
          if (saved.status === 'rejected') return { status: 'rejected', reason: saved.reason } as const;
          created = saved.status === 'created';
          person = (await one<PersonRow>(client, PERSON, [projectId, saved.personId]))!;
        } else {
          person = await findPerson(client, projectId, who);
          if (!person) return { status: 'no_person' } as const;
        }
        const added = await changes(client, 'INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [projectId, companyId, person.id, now]);
        if (created) changed.mark(projectId, person.id, { all: true });
        else if (added === 1) changed.mark(projectId, person.id, { companies: true });
        return { status: added === 1 ? 'added' : 'already_member', person: toPersonSummary(person), created } as const;
      });
    },

    async removePerson(projectId, companyId, personId) {
      const id = await currentId(pool, projectId, personId);
      return unit(async (changed, _audience, client) => {
        const removed = (await changes(client, 'DELETE FROM company_members WHERE project_id = $1 AND company_id = $2 AND person_id = $3', [projectId, companyId, id])) === 1;
        if (removed) changed.mark(projectId, id, { companies: true });
        return removed;
      });
    },
  };
}
