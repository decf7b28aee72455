import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { decideContact, type Holder } from '../../audiences/contact-rules.js';
import { advanceKind, mergeTraits } from '../../identity/identity-rules.js';
import type { ContactInput, ContactOutcome } from '../contact-store.js';
import type { PersonRow } from '../sqlite/rows.js';
import { identityLockKey } from './postgres-rows.js';
import { one, query } from './postgres-sql.js';

export interface PostgresContacts {
  /**
   * Saves one contact on the caller's transaction (`client`): updates whoever holds its email
   * (or user id), or creates a lead, as `decideContact` says. With `updateExisting: false` an
   * existing contact is only found, not changed.
   */
  save(client: pg.PoolClient, projectId: string, contact: ContactInput, now: number, options?: { updateExisting?: boolean }): Promise<ContactOutcome>;
  /** Finds a company by id, else by name (case-insensitive), else creates one named so; adds the person. */
  joinCompany(client: pg.PoolClient, projectId: string, personId: string, company: string, now: number): Promise<void>;
}

const PERSON = 'SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at FROM people WHERE id = $1 FOR UPDATE';

/**
 * Contacts written by the admin API (and later imports) on PostgreSQL: the statements of
 * sqlite-contacts.ts behind the same domain rule. What several collectors add: the contact's
 * identities are locked first (the advisory locks ingest takes on the same (project, type,
 * value), postgres-repositories.ts), waiting for all of them in one sorted statement while
 * holding no other, so an identify and a contact save for the same email run one after the
 * other and end on one person; a company found or created by name is locked on its name the
 * same way, so two saves naming a new company make one.
 */
export function createPostgresContacts(): PostgresContacts {
  const lock = async (client: pg.PoolClient, keys: string[]): Promise<void> => {
    const sorted = [...new Set(keys)].sort();
    await client.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i', [sorted]);
  };
  const owner = async (client: pg.PoolClient, projectId: string, type: string, value: string): Promise<string | undefined> =>
    (await one<{ person_id: string }>(client, 'SELECT person_id FROM identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value]))?.person_id;
  const erased = async (client: pg.PoolClient, projectId: string, type: string, value: string): Promise<boolean> =>
    (await one(client, 'SELECT 1 AS found FROM erased_identities WHERE project_id = $1 AND type = $2 AND value = $3', [projectId, type, value])) !== undefined;
  const holder = async (client: pg.PoolClient, personId: string | undefined): Promise<(Holder & { row: PersonRow }) | null> => {
    const row = personId ? await one<PersonRow>(client, PERSON, [personId]) : undefined;
    return row ? { id: row.id, kind: row.kind, userId: row.user_id, email: row.email, row } : null;
  };
  const insertIdentity = (client: pg.PoolClient, projectId: string, type: string, value: string, personId: string, now: number) =>
    query(client, `INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (project_id, type, value) DO NOTHING`, [projectId, type, value, personId, now]);

  const contacts: PostgresContacts = {
    async save(client, projectId, contact, now, options = {}) {
      const userId = contact.userId ?? null;
      await lock(client, [identityLockKey(projectId, 'email', contact.email), ...(userId === null ? [] : [identityLockKey(projectId, 'user', userId)])]);
      const byEmail = await holder(client, await owner(client, projectId, 'email', contact.email));
      const byUserId = userId === null ? null : await holder(client, await owner(client, projectId, 'user', userId));
      const decision = decideContact({
        email: contact.email,
        userId,
        erased: {
          email: await erased(client, projectId, 'email', contact.email),
          userId: userId !== null && (await erased(client, projectId, 'user', userId)),
        },
        byEmail,
        byUserId,
      });
      if (decision.action === 'reject') return { status: 'rejected', reason: decision.reason };

      const traits: Record<string, unknown> = { ...contact.traits, name: contact.name };
      if (contact.phone) traits.phone = contact.phone;
      if (decision.action === 'create') {
        const id = randomUUID();
        await query(client, `INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
          VALUES ($1, $2, 'lead', $3, $4, $5, $6, $6, $6)`, [id, projectId, userId, contact.email, JSON.stringify(traits), now]);
        await insertIdentity(client, projectId, 'email', contact.email, id, now);
        if (userId !== null) await insertIdentity(client, projectId, 'user', userId, id, now);
        if (contact.company) await contacts.joinCompany(client, projectId, id, contact.company, now);
        return { status: 'created', personId: id };
      }

      const { row } = (byEmail ?? byUserId)!;
      if (contact.company) await contacts.joinCompany(client, projectId, row.id, contact.company, now);
      if (options.updateExisting === false) return { status: 'unchanged', personId: row.id };
      const current = JSON.parse(row.traits) as Record<string, unknown>;
      const merged = mergeTraits(current, row.traits_at, traits, now);
      const kind = advanceKind(row.kind, 'lead');
      const email = decision.setEmail ? contact.email : row.email;
      const user = decision.setUserId ? userId : row.user_id;
      if (JSON.stringify(merged) === row.traits && kind === row.kind && email === row.email && user === row.user_id) {
        return { status: 'unchanged', personId: row.id };
      }
      if (decision.setEmail) await insertIdentity(client, projectId, 'email', contact.email, row.id, now);
      if (decision.setUserId && userId !== null) await insertIdentity(client, projectId, 'user', userId, row.id, now);
      await query(client, 'UPDATE people SET kind = $1, user_id = $2, email = $3, traits = $4, traits_at = $5 WHERE id = $6',
        [kind, user, email, JSON.stringify(merged), Math.max(row.traits_at, now), row.id]);
      return { status: 'updated', personId: row.id };
    },

    async joinCompany(client, projectId, personId, company, now) {
      await lock(client, [identityLockKey(projectId, 'company-name', company.toLowerCase())]);
      let companyId = (await one<{ id: string }>(client, `SELECT id FROM companies WHERE project_id = @project
        AND (id = @value::text OR lower(traits::jsonb ->> 'name') = lower(@value::text)) ORDER BY (id = @value::text) DESC LIMIT 1`, { project: projectId, value: company }))?.id;
      if (!companyId) {
        companyId = randomUUID();
        await query(client, 'INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)',
          [projectId, companyId, JSON.stringify({ name: company }), now]);
      }
      await query(client, 'INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [projectId, companyId, personId, now]);
    },
  };
  return contacts;
}
