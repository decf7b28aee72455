import type { Database, Statement } from 'better-sqlite3';
import type { MessageKind } from '@hark/protocol';
import type { IngestTx, StoredPerson } from '../ports.js';
import type { IdentityType, NormalizedEvent } from '../types.js';
import { EVENT_INSERT_COLUMNS, PERSON_AND_ALIASES, toStoredPerson, type PersonRow } from './rows.js';

const PERSON_WRITE_COLUMNS = {
  kind: 'kind',
  userId: 'user_id',
  email: 'email',
  traits: 'traits',
  traitsAt: 'traits_at',
  createdAt: 'created_at',
  lastSeenAt: 'last_seen_at',
} as const satisfies Record<keyof Omit<StoredPerson, 'id' | 'verified'>, string>;

/**
 * The SQLite repositories of the ingest unit of work: prepared statements, synchronous (the
 * domain awaits them all the same), run inside the transaction the group commit holds. Rows in,
 * rows out; every rule is in the domain modules that call these.
 */
export function createSqliteRepositories(db: Database): Omit<IngestTx, 'jobs' | 'runs'> {
  const s = (sql: string): Statement => db.prepare(sql);
  const q = {
    eventExists: s('SELECT 1 FROM events WHERE project_id = ? AND message_id = ?').pluck(),
    eventChain: s('SELECT root_id FROM events WHERE project_id = ? AND message_id = ?'),
    insertEvent: s(`INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (${EVENT_INSERT_COLUMNS.split(',').map(() => '?').join(', ')})`),
    findIdentity: s('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    insertIdentity: s(`INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (project_id, type, value) DO NOTHING`),
    isErased: s('SELECT 1 FROM erased_identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
    anyErased: s('SELECT EXISTS (SELECT 1 FROM erased_identities WHERE project_id = ?)').pluck(),

    getPerson: s('SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at, verified FROM people WHERE id = ?'),
    insertPerson: s(`INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
      VALUES (?, ?, ?, ?, NULL, '{}', 0, ?, ?)`),
    markVerified: s('UPDATE people SET verified = 1 WHERE id = ? AND verified = 0'),
    // Conditional, so a visitor who stays where they are costs a read and no write.
    setLocation: s('UPDATE people SET geo = @geo WHERE id = @id AND geo IS NOT @geo'),
    // Last seen is kept to the minute: moving it rewrites the person's row and its entries in
    // two indexes ordered by it (people_by_last_seen, people_by_kind), 3 of the ~6 pages an
    // event would write to the WAL. A visitor active all minute costs one such write, not one
    // per event.
    touchPerson: s('UPDATE people SET last_seen_at = @at WHERE id = @id AND last_seen_at < @at - @resolution'),
    moveIdentities: s('UPDATE identities SET person_id = ? WHERE person_id = ?'),
    moveMembers: s(`INSERT INTO company_members (project_id, company_id, person_id, created_at)
      SELECT project_id, company_id, ?, created_at FROM company_members WHERE person_id = ? ON CONFLICT DO NOTHING`),
    dropMembers: s('DELETE FROM company_members WHERE person_id = ?'),
    repointAliases: s('UPDATE person_aliases SET person_id = ? WHERE person_id = ?'),
    insertAlias: s('INSERT OR REPLACE INTO person_aliases (alias_id, project_id, person_id) VALUES (?, ?, ?)'),
    deletePerson: s('DELETE FROM people WHERE id = ?'),
    insertMerge: s(`INSERT INTO merges (project_id, outcome, from_person_id, into_person_id, anonymous_id, user_id,
      message_id, reason, from_traits, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),

    getCompany: s('SELECT traits, traits_at FROM companies WHERE project_id = ? AND id = ?'),
    saveCompany: s(`INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (project_id, id) DO UPDATE SET traits = excluded.traits, traits_at = excluded.traits_at, updated_at = excluded.updated_at`),
    addMember: s(`INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT DO NOTHING`),

    messageKind: s('SELECT kind FROM messages WHERE project_id = ? AND id = ?').pluck(),
    deliveryOwner: s(`SELECT d.project_id, d.message_id, coalesce(a.person_id, d.person_id) AS owner
      FROM deliveries d LEFT JOIN person_aliases a ON a.alias_id = d.person_id WHERE d.id = ?`),
    latestDelivery: s(`SELECT id FROM deliveries WHERE project_id = @project AND message_id = @message
      AND person_id IN ${PERSON_AND_ALIASES} ORDER BY created_at DESC, id DESC LIMIT 1`).pluck(),
    deliveryCount: s(`SELECT count(*) FROM deliveries WHERE project_id = @project AND message_id = @message
      AND person_id IN ${PERSON_AND_ALIASES}`).pluck(),
    insertDelivery: s('INSERT INTO deliveries (id, project_id, message_id, person_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    shown: s(`UPDATE deliveries SET shown_count = shown_count + 1, shown_at = min(coalesce(shown_at, @at), @at),
      last_shown_at = max(coalesce(last_shown_at, @at), @at) WHERE id = @id`),
    clicked: s('UPDATE deliveries SET clicked_at = min(coalesce(clicked_at, @at), @at) WHERE id = @id'),
    dismissed: s('UPDATE deliveries SET dismissed_at = min(coalesce(dismissed_at, @at), @at) WHERE id = @id'),
    answered: s(`UPDATE deliveries SET answered_at = min(coalesce(answered_at, @at), @at),
      value = coalesce(@value, value), answer_text = coalesce(@text, answer_text) WHERE id = @id`),
  };
  // One UPDATE per set of columns written, prepared the first time that set is seen.
  const personUpdates = new Map<string, Statement>();

  return {
    events: {
      stored: (projectId, messageIds) => new Set(messageIds.filter((messageId) => q.eventExists.get(projectId, messageId) === 1)),
      chainOf: (projectId, messageId) => (q.eventChain.get(projectId, messageId) as { root_id: string | null } | undefined) ?? null,
      insert(projectId, personId, event: NormalizedEvent, chain) {
        const { stored } = event;
        q.insertEvent.run(projectId, event.messageId, personId, event.type, event.name, event.anonymousId, event.userId,
          stored.properties, stored.traits, stored.context, stored.device, event.timestamp, event.sentAt, event.receivedAt,
          chain?.parentId ?? null, chain?.rootId ?? null);
      },
    },
    identities: {
      // Reads here are function calls; nothing to gain from reading ahead.
      prefetch: () => undefined,
      find: (projectId, type: IdentityType, value) => (q.findIdentity.get(projectId, type, value) as string | undefined) ?? null,
      add: (projectId, type, value, personId, at) => void q.insertIdentity.run(projectId, type, value, personId, at),
      anyErased: (projectId) => q.anyErased.get(projectId) === 1,
      isErased: (projectId, type, value) => q.isErased.get(projectId, type, value) === 1,
    },
    people: {
      get: (personId) => {
        const row = q.getPerson.get(personId) as PersonRow | undefined;
        return row ? toStoredPerson(row) : null;
      },
      create: (projectId, person) => void q.insertPerson.run(person.id, projectId, person.kind, person.userId, person.at, person.at),
      update(personId, patch) {
        const keys = (Object.keys(patch) as (keyof typeof PERSON_WRITE_COLUMNS)[]).filter((key) => key in PERSON_WRITE_COLUMNS);
        if (keys.length === 0) return;
        const shape = keys.join(',');
        let statement = personUpdates.get(shape);
        if (!statement) {
          statement = db.prepare(`UPDATE people SET ${keys.map((key) => `${PERSON_WRITE_COLUMNS[key]} = @${key}`).join(', ')} WHERE id = @id`);
          personUpdates.set(shape, statement);
        }
        const params: Record<string, unknown> = { id: personId };
        for (const key of keys) params[key] = key === 'traits' ? JSON.stringify(patch.traits) : patch[key];
        statement.run(params);
      },
      markVerified: (personId) => void q.markVerified.run(personId),
      setLocation: (personId, geo) => q.setLocation.run({ id: personId, geo: JSON.stringify(geo) }).changes > 0,
      absorb(projectId, fromId, intoId) {
        q.moveIdentities.run(intoId, fromId);
        q.moveMembers.run(intoId, fromId);
        q.dropMembers.run(fromId);
        q.repointAliases.run(intoId, fromId);
        q.insertAlias.run(fromId, projectId, intoId);
        q.deletePerson.run(fromId);
      },
      recordMerge(projectId, merge) {
        q.insertMerge.run(projectId, merge.outcome, merge.fromPersonId, merge.intoPersonId, merge.anonymousId, merge.userId,
          merge.messageId, merge.reason, JSON.stringify(merge.fromTraits), merge.at);
      },
      touch: (personId, at, resolution) => q.touchPerson.run({ at, id: personId, resolution }).changes > 0,
    },
    companies: {
      get(projectId, companyId) {
        const row = q.getCompany.get(projectId, companyId) as { traits: string; traits_at: number } | undefined;
        return row ? { traits: JSON.parse(row.traits) as Record<string, unknown>, traitsAt: row.traits_at } : null;
      },
      save: (projectId, companyId, traits, traitsAt, at) => void q.saveCompany.run(projectId, companyId, JSON.stringify(traits), traitsAt, at, at),
      addMember: (projectId, companyId, personId, at) => void q.addMember.run(projectId, companyId, personId, at),
    },
    deliveries: {
      messageKind: (projectId, messageId) => (q.messageKind.get(projectId, messageId) as MessageKind | undefined) ?? null,
      owner(deliveryId) {
        const row = q.deliveryOwner.get(deliveryId) as { project_id: string; message_id: string; owner: string } | undefined;
        return row ? { projectId: row.project_id, messageId: row.message_id, personId: row.owner } : null;
      },
      latest: (projectId, messageId, personId) => (q.latestDelivery.get({ project: projectId, message: messageId, id: personId }) as string | undefined) ?? null,
      count: (projectId, messageId, personId) => q.deliveryCount.get({ project: projectId, message: messageId, id: personId }) as number,
      insert: (deliveryId, projectId, messageId, personId, at) => void q.insertDelivery.run(deliveryId, projectId, messageId, personId, at),
      record(deliveryId, interaction, at, answer) {
        if (interaction === 'answered') q.answered.run({ id: deliveryId, at, value: answer?.value ?? null, text: answer?.text ?? null });
        else q[interaction].run({ id: deliveryId, at });
      },
    },
  };
}
