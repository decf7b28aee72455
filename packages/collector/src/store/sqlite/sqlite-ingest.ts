import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { advanceKind, decideLink, mergeTraits, type KnownPerson } from '../../identity/identity-rules.js';
import { erasureKey } from '../../identity/erasure-key.js';
import { isPlaceholderId } from '../../identity/placeholder-ids.js';
import type { IdentityType, IngestOutcome, NormalizedEvent, PersonKind } from '../types.js';
import type { PersonRow } from './rows.js';

type Warning = { code: string; message: string };

/** A person's last-seen time moves forward only once it is this far behind (see touchPerson). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * The write path of the SQLite store: dedupe, identity resolution (DESIGN §4) and the event
 * insert, for a whole batch inside one transaction. Synchronous, as better-sqlite3 is; the
 * store wraps it in a promise.
 */
export class SqliteIngest {
  private readonly statements;
  /** Latest timestamp seen per person in the current batch; written once at the end. */
  private lastSeen = new Map<string, number>();
  /** False while no identity was ever erased, so ingest skips those lookups entirely. */
  private erasuresExist: boolean;

  constructor(
    private readonly db: Database,
    /** Runs inside the transaction after each stored event; message interactions update deliveries here. */
    private readonly afterStore: (projectId: string, personId: string, event: NormalizedEvent) => void = () => undefined,
  ) {
    const s = (sql: string): Statement => db.prepare(sql);
    this.statements = {
      eventExists: s('SELECT 1 FROM events WHERE project_id = ? AND message_id = ?').pluck(),
      insertEvent: s(`INSERT INTO events (project_id, message_id, person_id, type, name, anonymous_id, user_id,
        properties, traits, context, device, timestamp, sent_at, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      findIdentity: s('SELECT person_id FROM identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
      isErased: s('SELECT 1 FROM erased_identities WHERE project_id = ? AND type = ? AND value = ?').pluck(),
      anyErased: s('SELECT EXISTS (SELECT 1 FROM erased_identities)').pluck(),
      markVerified: s('UPDATE people SET verified = 1 WHERE id = ? AND verified = 0'),
      insertIdentity: s(`INSERT INTO identities (project_id, type, value, person_id, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project_id, type, value) DO NOTHING`),
      moveIdentities: s('UPDATE identities SET person_id = ? WHERE person_id = ?'),
      getPerson: s('SELECT id, kind, user_id, email, traits, traits_at, created_at, last_seen_at, verified FROM people WHERE id = ?'),
      insertPerson: s(`INSERT INTO people (id, project_id, kind, user_id, email, traits, traits_at, created_at, last_seen_at)
        VALUES (?, ?, ?, ?, ?, '{}', 0, ?, ?)`),
      updatePersonIdentity: s('UPDATE people SET kind = ?, user_id = ?, email = ? WHERE id = ?'),
      updatePersonTraits: s('UPDATE people SET traits = ?, traits_at = ? WHERE id = ?'),
      updatePersonAfterMerge: s('UPDATE people SET traits = ?, created_at = ?, last_seen_at = ?, email = ? WHERE id = ?'),
      // Last seen is kept to the minute: moving it rewrites the person's row and its entries in
      // two indexes ordered by it (people_by_last_seen, people_by_kind), 3 of the ~6 pages an
      // event would write to the WAL. A visitor active all minute costs one such write, not one
      // per event.
      touchPerson: s(`UPDATE people SET last_seen_at = @at WHERE id = @id AND last_seen_at < @at - ${LAST_SEEN_RESOLUTION_MS}`),
      deletePerson: s('DELETE FROM people WHERE id = ?'),
      insertAlias: s('INSERT OR REPLACE INTO person_aliases (alias_id, project_id, person_id) VALUES (?, ?, ?)'),
      repointAliases: s('UPDATE person_aliases SET person_id = ? WHERE person_id = ?'),
      insertMerge: s(`INSERT INTO merges (project_id, outcome, from_person_id, into_person_id, anonymous_id, user_id,
        message_id, reason, from_traits, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getCompany: s('SELECT traits, traits_at FROM companies WHERE project_id = ? AND id = ?'),
      upsertCompany: s(`INSERT INTO companies (project_id, id, traits, traits_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (project_id, id) DO UPDATE SET traits = excluded.traits, traits_at = excluded.traits_at, updated_at = excluded.updated_at`),
      addMember: s(`INSERT INTO company_members (project_id, company_id, person_id, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT DO NOTHING`),
      moveMembers: s(`INSERT INTO company_members (project_id, company_id, person_id, created_at)
        SELECT project_id, company_id, ?, created_at FROM company_members WHERE person_id = ? ON CONFLICT DO NOTHING`),
      dropMembers: s('DELETE FROM company_members WHERE person_id = ?'),
    };
    this.erasuresExist = this.statements.anyErased.get() === 1;
  }

  /** Called after an erasure or a lift, so the next batch knows whether to check. */
  noteErasures(): void {
    this.erasuresExist = this.statements.anyErased.get() === 1;
  }

  /** Runs a whole batch in one transaction; a failure rolls all of it back (nothing half-written). */
  readonly ingest = (projectId: string, events: NormalizedEvent[]): IngestOutcome[] => this.db.transaction(() => this.write(projectId, events))();

  /**
   * The same work without a transaction of its own, for a caller that already holds one (group
   * commit): a transaction nested in another becomes a savepoint, and a savepoint copies every
   * page it touches to a sub-journal first.
   */
  readonly write = (projectId: string, events: NormalizedEvent[]): IngestOutcome[] => {
    this.lastSeen.clear();
    const outcomes = events.map((event) => this.ingestOne(projectId, event));
    for (const [personId, at] of this.lastSeen) this.statements.touchPerson.run({ at, id: personId });
    return outcomes;
  };

  private ingestOne(projectId: string, event: NormalizedEvent): IngestOutcome {
    const st = this.statements;
    if (st.eventExists.get(projectId, event.messageId)) return { status: 'duplicate' };

    if (this.erasuresExist && this.isErased(projectId, event)) {
      return { status: 'rejected', code: 'erased', message: 'This person was deleted on request; their identifiers are refused until an admin lifts the erasure.' };
    }
    const resolved = this.resolvePerson(projectId, event);
    if ('rejected' in resolved) return { status: 'rejected', ...resolved.rejected };
    const personId = resolved.personId;
    if (event.verified && event.userId !== null) st.markVerified.run(personId);

    if (event.type === 'identify') this.applyTraits(personId, event.traits, event.timestamp);
    if (event.email) this.applyEmail(projectId, personId, event.email, event.timestamp);
    if (event.type === 'group' && event.groupId) this.applyGroup(projectId, personId, event);

    st.insertEvent.run(
      projectId,
      event.messageId,
      personId,
      event.type,
      event.name,
      event.anonymousId,
      event.userId,
      JSON.stringify(event.properties),
      JSON.stringify(event.traits),
      JSON.stringify(event.context),
      JSON.stringify(event.device),
      event.timestamp,
      event.sentAt,
      event.receivedAt,
    );
    this.afterStore(projectId, personId, event);
    const seen = this.lastSeen.get(personId);
    if (seen === undefined || event.timestamp > seen) this.lastSeen.set(personId, event.timestamp);
    return resolved.warning ? { status: 'stored', personId, warning: resolved.warning } : { status: 'stored', personId };
  }

  private isErased(projectId: string, event: NormalizedEvent): boolean {
    const erased = (type: IdentityType, value: string | null): boolean =>
      value !== null && this.statements.isErased.get(projectId, type, erasureKey(type, value)) === 1;
    return (
      erased('anonymous', event.anonymousId) ||
      erased('user', event.userId) ||
      // alias's previousId is an earlier id of either kind: an anonymous id or an old user id.
      erased('anonymous', event.previousId) ||
      erased('user', event.previousId) ||
      erased('email', event.email)
    );
  }

  private resolvePerson(
    projectId: string,
    event: NormalizedEvent,
  ): { personId: string; warning?: Warning } | { rejected: Warning } {
    // alias links its previousId the way identify links an anonymous id.
    const anonymousRaw = event.type === 'alias' ? event.previousId : event.anonymousId;
    const anonymousId = isPlaceholderId(anonymousRaw) ? null : anonymousRaw;
    const userId = isPlaceholderId(event.userId) ? null : event.userId;

    if (event.userId !== null && userId === null) {
      return { rejected: { code: 'placeholder_id', message: `userId "${event.userId}" is a placeholder, not a real id.` } };
    }
    if (userId === null && anonymousId === null) {
      return {
        rejected: {
          code: anonymousRaw ? 'placeholder_id' : 'missing_id',
          message: anonymousRaw
            ? `anonymousId "${anonymousRaw}" is a placeholder, not a real id.`
            : 'Every event needs a userId or an anonymousId.',
        },
      };
    }
    if (userId !== null && anonymousId !== null) return this.link(projectId, userId, anonymousId, event);
    if (userId !== null) {
      const personId = this.findOrCreate(projectId, 'user', userId, event.timestamp);
      if (!event.verified && this.known(personId)?.verified) {
        return { rejected: { code: 'unverified_identity', message: `userId "${userId}" is verified; send a valid userHash, or send from a server with the secret key.` } };
      }
      return { personId };
    }
    return { personId: this.findOrCreate(projectId, 'anonymous', anonymousId!, event.timestamp) };
  }

  private findOrCreate(projectId: string, type: 'user' | 'anonymous', value: string, at: number): string {
    const existing = this.statements.findIdentity.get(projectId, type, value) as string | undefined;
    if (existing) return existing;
    return type === 'user'
      ? this.createPerson(projectId, 'user', value, at, [['user', value]])
      : this.createPerson(projectId, 'visitor', null, at, [['anonymous', value]]);
  }

  private createPerson(
    projectId: string,
    kind: PersonKind,
    userId: string | null,
    at: number,
    identities: [IdentityType, string][],
  ): string {
    const id = randomUUID();
    this.statements.insertPerson.run(id, projectId, kind, userId, null, at, at);
    for (const [type, value] of identities) this.statements.insertIdentity.run(projectId, type, value, id, at);
    return id;
  }

  private known(personId: string | undefined): KnownPerson | null {
    if (!personId) return null;
    const row = this.statements.getPerson.get(personId) as PersonRow | undefined;
    return row ? { id: row.id, kind: row.kind, userId: row.user_id, verified: row.verified === 1 } : null;
  }

  private link(projectId: string, userId: string, anonymousId: string, event: NormalizedEvent): { personId: string; warning?: Warning } {
    const st = this.statements;
    const userPerson = this.known(st.findIdentity.get(projectId, 'user', userId) as string | undefined);
    const anonymousPerson = this.known(st.findIdentity.get(projectId, 'anonymous', anonymousId) as string | undefined);
    const decision = decideLink(userPerson, anonymousPerson, userId, event.verified);
    const at = event.timestamp;

    switch (decision.action) {
      case 'create-user':
        return { personId: this.createPerson(projectId, 'user', userId, at, [['user', userId], ['anonymous', anonymousId]]) };
      case 'attach-anonymous':
        st.insertIdentity.run(projectId, 'anonymous', anonymousId, decision.userPersonId, at);
        return { personId: decision.userPersonId };
      case 'promote-anonymous': {
        const row = st.getPerson.get(decision.personId) as PersonRow;
        st.updatePersonIdentity.run('user', userId, row.email, row.id);
        st.insertIdentity.run(projectId, 'user', userId, row.id, at);
        return { personId: row.id };
      }
      case 'merge':
        this.merge(projectId, decision.fromPersonId, decision.intoPersonId, 'identify', { anonymousId, userId, messageId: event.messageId, at });
        return { personId: decision.intoPersonId };
      case 'same-person':
        return { personId: decision.personId };
      case 'unverified':
        return {
          personId: decision.anonymousPersonId ?? this.createPerson(projectId, 'visitor', null, at, [['anonymous', anonymousId]]),
          warning: {
            code: 'unverified_identity',
            message: `userId "${userId}" is verified and this event has no valid userHash; it was kept on the anonymous visitor and linked to nothing.`,
          },
        };
      case 'conflict': {
        const personId = decision.userPersonId ?? this.createPerson(projectId, 'user', userId, at, [['user', userId]]);
        st.insertMerge.run(projectId, 'refused', decision.anonymousPersonId, personId, anonymousId, userId, event.messageId,
          'anonymous_id_belongs_to_another_user', '{}', event.receivedAt);
        return {
          personId,
          warning: {
            code: 'identity_conflict',
            message: `anonymousId "${anonymousId}" already belongs to another user; it was not merged into "${userId}". The event is stored on "${userId}".`,
          },
        };
      }
    }
  }

  /**
   * Folds `fromId` into `intoId`: identities, company memberships and aliases move; events stay
   * where they are and are read through the alias, so the cost does not grow with history.
   * The survivor's traits win; the earliest first-seen wins.
   */
  private merge(
    projectId: string,
    fromId: string,
    intoId: string,
    reason: string,
    detail: { anonymousId: string | null; userId: string | null; messageId: string; at: number },
  ): void {
    const st = this.statements;
    const from = st.getPerson.get(fromId) as PersonRow;
    const into = st.getPerson.get(intoId) as PersonRow;
    const traits = { ...JSON.parse(from.traits), ...JSON.parse(into.traits) };
    st.updatePersonAfterMerge.run(
      JSON.stringify(traits),
      Math.min(from.created_at, into.created_at),
      Math.max(from.last_seen_at, into.last_seen_at),
      into.email ?? from.email,
      intoId,
    );
    st.moveIdentities.run(intoId, fromId);
    st.moveMembers.run(intoId, fromId);
    st.dropMembers.run(fromId);
    st.repointAliases.run(intoId, fromId);
    st.insertAlias.run(fromId, projectId, intoId);
    st.deletePerson.run(fromId);
    st.insertMerge.run(projectId, 'merged', fromId, intoId, detail.anonymousId, detail.userId, detail.messageId, reason, from.traits, detail.at);
    const seen = this.lastSeen.get(fromId);
    if (seen !== undefined) {
      this.lastSeen.delete(fromId);
      this.lastSeen.set(intoId, Math.max(seen, this.lastSeen.get(intoId) ?? 0));
    }
  }

  private applyTraits(personId: string, traits: Record<string, unknown>, at: number): void {
    if (Object.keys(traits).length === 0) return;
    const row = this.statements.getPerson.get(personId) as PersonRow;
    const merged = mergeTraits(JSON.parse(row.traits), row.traits_at, traits, at);
    this.statements.updatePersonTraits.run(JSON.stringify(merged), Math.max(row.traits_at, at), personId);
  }

  /**
   * An email makes a visitor a lead and is recorded as an identity. When an identified user
   * gives the email of a lead nobody identified yet, the lead is folded into the user.
   * An email never pulls a person into someone else's profile.
   */
  private applyEmail(projectId: string, personId: string, email: string, at: number): void {
    const st = this.statements;
    const row = st.getPerson.get(personId) as PersonRow;
    const owner = st.findIdentity.get(projectId, 'email', email) as string | undefined;
    if (owner && owner !== personId && row.kind === 'user') {
      const other = st.getPerson.get(owner) as PersonRow | undefined;
      if (other && other.user_id === null) {
        this.merge(projectId, owner, personId, 'email', { anonymousId: null, userId: row.user_id, messageId: '', at });
      }
    }
    const kind = advanceKind(row.kind, 'lead');
    // The App repeats identify (with the same email) on every page: write only what changed.
    if (owner === personId && row.email === email && row.kind === kind) return;
    if (!owner) st.insertIdentity.run(projectId, 'email', email, personId, at);
    st.updatePersonIdentity.run(kind, row.user_id, email, personId);
  }

  private applyGroup(projectId: string, personId: string, event: NormalizedEvent): void {
    const st = this.statements;
    const groupId = event.groupId!;
    const current = st.getCompany.get(projectId, groupId) as { traits: string; traits_at: number } | undefined;
    const traits = current ? mergeTraits(JSON.parse(current.traits), current.traits_at, event.traits, event.timestamp) : event.traits;
    st.upsertCompany.run(projectId, groupId, JSON.stringify(traits), Math.max(current?.traits_at ?? 0, event.timestamp), event.receivedAt, event.receivedAt);
    st.addMember.run(projectId, groupId, personId, event.receivedAt);
  }
}
