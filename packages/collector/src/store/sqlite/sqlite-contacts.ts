import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { timeOrderedId } from './time-ordered-id.js';
import { decideContact, type Holder } from '../../audiences/contact-rules.js';
import { advanceKind, mergeTraits } from '../../identity/identity-rules.js';
import type { ContactInput, ContactOutcome } from '../contact-store.js';
import type { PersonRow } from './rows.js';

export interface SqliteContacts {
  /**
   * Saves one contact, synchronously, inside the caller's transaction: updates whoever holds its
   * email (or user id), or creates a lead. With `updateExisting: false` an existing contact is
   * only found, not changed.
   */
  save(projectId: string, contact: ContactInput, now: number, options?: { updateExisting?: boolean }): ContactOutcome;
  /** Finds a company by id, else by name (case-insensitive), else creates one named so; adds the person. */
  joinCompany(projectId: string, personId: string, company: string, now: number): void;
}

/** Contacts written by the admin API and imports (not by ingest): the SQL behind `decideContact`. */
export function createSqliteContacts(db: Database): SqliteContacts {
  const q = {
    owner: db.prepare('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    erased: db.prepare('SELECT 1 FROM erased_identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    person: db.prepare('SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at FROM people WHERE id = ?'),
    insertPerson: db.prepare(`INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
      VALUES (?, ?, 'lead', ?, ?, ?, ?, ?, ?)`),
    insertIdentity: db.prepare(`INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (project_id, type, value) DO NOTHING`),
    updatePerson: db.prepare('UPDATE people SET kind = ?, user_id = ?, email = ?, traits = ?, traits_at = ? WHERE id = ?'),
    companyByIdOrName: db.prepare(`SELECT id FROM companies WHERE project_id = @project
      AND (id = @value OR lower(json_extract(traits, '$.name')) = lower(@value)) ORDER BY id = @value DESC LIMIT 1`).pluck(),
    insertCompany: db.prepare('INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
    addMember: db.prepare('INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
  };
  const holder = (personId: string | undefined): (Holder & { row: PersonRow }) | null => {
    const row = personId ? (q.person.get(personId) as PersonRow | undefined) : undefined;
    return row ? { id: row.id, kind: row.kind, userId: row.user_id, email: row.email, row } : null;
  };

  return {
    save(projectId, contact, now, options = {}) {
      const userId = contact.userId ?? null;
      const byEmail = holder(q.owner.get(projectId, 'email', contact.email) as string | undefined);
      const byUserId = userId === null ? null : holder(q.owner.get(projectId, 'user', userId) as string | undefined);
      const decision = decideContact({
        email: contact.email,
        userId,
        erased: {
          email: q.erased.get(projectId, 'email', contact.email) === 1,
          userId: userId !== null && q.erased.get(projectId, 'user', userId) === 1,
        },
        byEmail,
        byUserId,
      });
      if (decision.action === 'reject') return { status: 'rejected', reason: decision.reason };

      const traits: Record<string, unknown> = { ...contact.traits, name: contact.name };
      if (contact.phone) traits.phone = contact.phone;
      if (decision.action === 'create') {
        const id = timeOrderedId(now);
        q.insertPerson.run(id, projectId, userId, contact.email, JSON.stringify(traits), now, now, now);
        q.insertIdentity.run(projectId, 'email', contact.email, id, now);
        if (userId !== null) q.insertIdentity.run(projectId, 'user', userId, id, now);
        if (contact.company) this.joinCompany(projectId, id, contact.company, now);
        return { status: 'created', personId: id };
      }

      const { row } = (byEmail ?? byUserId)!;
      if (contact.company) this.joinCompany(projectId, row.id, contact.company, now);
      if (options.updateExisting === false) return { status: 'unchanged', personId: row.id };
      const current = JSON.parse(row.traits) as Record<string, unknown>;
      const merged = mergeTraits(current, row.traits_at, traits, now);
      const kind = advanceKind(row.kind, 'lead');
      const email = decision.setEmail ? contact.email : row.email;
      const user = decision.setUserId ? userId : row.user_id;
      if (JSON.stringify(merged) === row.traits && kind === row.kind && email === row.email && user === row.user_id) {
        return { status: 'unchanged', personId: row.id };
      }
      if (decision.setEmail) q.insertIdentity.run(projectId, 'email', contact.email, row.id, now);
      if (decision.setUserId) q.insertIdentity.run(projectId, 'user', userId, row.id, now);
      q.updatePerson.run(kind, user, email, JSON.stringify(merged), Math.max(row.traits_at, now), row.id);
      return { status: 'updated', personId: row.id };
    },

    joinCompany(projectId, personId, company, now) {
      let companyId = q.companyByIdOrName.get({ project: projectId, value: company }) as string | undefined;
      if (!companyId) {
        companyId = randomUUID();
        q.insertCompany.run(projectId, companyId, JSON.stringify({ name: company }), now, now, now);
      }
      q.addMember.run(projectId, companyId, personId, now);
    },
  };
}
