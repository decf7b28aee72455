import { randomUUID } from 'node:crypto';
import type { IngestTx, StoredPerson } from '../store/ports.js';
import type { IdentityType, NormalizedEvent, PersonKind } from '../store/types.js';
import { decideLink, mergedPersonFields, type KnownPerson } from './identity-rules.js';
import { isPlaceholderId } from './placeholder-ids.js';

export type Warning = { code: string; message: string };

/**
 * Who an event belongs to. `locked`: the person is verified and this event did not prove it
 * (no valid userHash, not the secret key), so it is stored on them but may change nothing about
 * them — traits, email, kind or company (SECURITY.md, "Identity verification").
 */
export type Resolved = { personId: string; locked: boolean; warning?: Warning } | { rejected: Warning };

/** Called when a merge moves `fromId` into `intoId`, so per-batch state can follow the survivor. */
export type OnMerge = (fromId: string, intoId: string) => void;

/**
 * Resolves an event to a person (DESIGN §4), creating, linking or merging as
 * `identity-rules.ts` decides, through the store's repositories only.
 */
export async function resolvePerson(tx: IngestTx, projectId: string, event: NormalizedEvent, onMerge: OnMerge): Promise<Resolved> {
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
        message: anonymousRaw ? `anonymousId "${anonymousRaw}" is a placeholder, not a real id.` : 'Every event needs a userId or an anonymousId.',
      },
    };
  }
  if (userId !== null && anonymousId !== null) return link(tx, projectId, userId, anonymousId, event, onMerge);
  if (userId !== null) {
    const owner = await tx.identities.find(projectId, 'user', userId);
    const person = owner ? await tx.people.get(owner) : null;
    if (person?.verified && !event.verified) {
      return { rejected: { code: 'unverified_identity', message: `userId "${userId}" is verified; send a valid userHash, or send from a server with the secret key.` } };
    }
    return { personId: person?.id ?? (await createPerson(tx, projectId, 'user', userId, event.timestamp, [['user', userId]])), locked: false };
  }
  const owner = await tx.identities.find(projectId, 'anonymous', anonymousId!);
  const person = owner ? await tx.people.get(owner) : null;
  if (person) return { personId: person.id, locked: person.verified && !event.verified };
  return { personId: await createPerson(tx, projectId, 'visitor', null, event.timestamp, [['anonymous', anonymousId!]]), locked: false };
}

async function createPerson(
  tx: IngestTx,
  projectId: string,
  kind: PersonKind,
  userId: string | null,
  at: number,
  identities: [IdentityType, string][],
): Promise<string> {
  const id = randomUUID();
  await tx.people.create(projectId, { id, kind, userId, at });
  for (const [type, value] of identities) await tx.identities.add(projectId, type, value, id, at);
  return id;
}

const known = (person: StoredPerson | null): KnownPerson | null =>
  person && { id: person.id, kind: person.kind, userId: person.userId, verified: person.verified };

async function link(tx: IngestTx, projectId: string, userId: string, anonymousId: string, event: NormalizedEvent, onMerge: OnMerge): Promise<Resolved> {
  const userOwner = await tx.identities.find(projectId, 'user', userId);
  const anonymousOwner = await tx.identities.find(projectId, 'anonymous', anonymousId);
  const userPerson = userOwner ? await tx.people.get(userOwner) : null;
  const anonymousPerson = anonymousOwner ? await tx.people.get(anonymousOwner) : null;
  const decision = decideLink(known(userPerson), known(anonymousPerson), userId, event.verified);
  const at = event.timestamp;
  // Only `same-person` can reach a verified person without proof: their own linked browser.
  const locked = (person: StoredPerson | null): boolean => Boolean(person?.verified) && !event.verified;

  switch (decision.action) {
    case 'create-user':
      return { personId: await createPerson(tx, projectId, 'user', userId, at, [['user', userId], ['anonymous', anonymousId]]), locked: false };
    case 'attach-anonymous':
      await tx.identities.add(projectId, 'anonymous', anonymousId, decision.userPersonId, at);
      return { personId: decision.userPersonId, locked: false };
    case 'promote-anonymous':
      await tx.people.update(decision.personId, { kind: 'user', userId });
      await tx.identities.add(projectId, 'user', userId, decision.personId, at);
      return { personId: decision.personId, locked: false };
    case 'merge':
      await mergePeople(tx, projectId, anonymousPerson!, userPerson!, 'identify', { anonymousId, userId, messageId: event.messageId, at }, onMerge);
      return { personId: decision.intoPersonId, locked: false };
    case 'same-person':
      return { personId: decision.personId, locked: locked(userPerson) };
    case 'unverified':
      return {
        personId: decision.anonymousPersonId ?? (await createPerson(tx, projectId, 'visitor', null, at, [['anonymous', anonymousId]])),
        locked: locked(anonymousPerson),
        warning: {
          code: 'unverified_identity',
          message: `userId "${userId}" is verified and this event has no valid userHash; it was kept on the anonymous visitor and linked to nothing.`,
        },
      };
    case 'conflict': {
      const personId = decision.userPersonId ?? (await createPerson(tx, projectId, 'user', userId, at, [['user', userId]]));
      await tx.people.recordMerge(projectId, {
        outcome: 'refused',
        fromPersonId: decision.anonymousPersonId,
        intoPersonId: personId,
        anonymousId,
        userId,
        messageId: event.messageId,
        reason: 'anonymous_id_belongs_to_another_user',
        fromTraits: {},
        at: event.receivedAt,
      });
      return {
        personId,
        locked: locked(userPerson),
        warning: {
          code: 'identity_conflict',
          message: `anonymousId "${anonymousId}" already belongs to another user; it was not merged into "${userId}". The event is stored on "${userId}".`,
        },
      };
    }
  }
}

/**
 * Folds `from` into `into`: the survivor's fields as the identity rules say, then the storage
 * half (identities, memberships, aliases move; events stay and are read through the alias, so
 * the cost does not grow with history), recorded in `merges`.
 */
export async function mergePeople(
  tx: IngestTx,
  projectId: string,
  from: StoredPerson,
  into: StoredPerson,
  reason: string,
  detail: { anonymousId: string | null; userId: string | null; messageId: string; at: number },
  onMerge: OnMerge,
): Promise<void> {
  await tx.people.update(into.id, mergedPersonFields(from, into));
  await tx.people.absorb(projectId, from.id, into.id);
  await tx.people.recordMerge(projectId, { outcome: 'merged', fromPersonId: from.id, intoPersonId: into.id, ...detail, reason, fromTraits: from.traits });
  onMerge(from.id, into.id);
}
