import type { PersonKind } from '../store/types.js';

/** The part of a person the identity rules need to see. */
export interface KnownPerson {
  id: string;
  kind: PersonKind;
  userId: string | null;
  /** Identified at least once with a valid userHash (or by a server with the secret key). */
  verified: boolean;
}

/**
 * What to do when an event links an anonymous id to a user id (identify, alias, or any event
 * carrying both). Pure, so every store applies the same rules (DESIGN §4):
 *
 * - anonymous id unknown → attach it to the user (creating the user if needed);
 * - anonymous person not yet identified → the user absorbs it (or it becomes the user);
 * - anonymous person identified as another user → link nothing, keep both apart, warn;
 * - the user is verified but this event is not → it may not touch the user at all: the event
 *   stays with the anonymous visitor who sent it (DESIGN §4, identity verification).
 */
export type LinkDecision =
  | { action: 'create-user'; attachAnonymous: boolean }
  | { action: 'attach-anonymous'; userPersonId: string }
  | { action: 'promote-anonymous'; personId: string }
  | { action: 'merge'; fromPersonId: string; intoPersonId: string }
  | { action: 'same-person'; personId: string }
  | { action: 'conflict'; userPersonId: string | null; anonymousPersonId: string; otherUserId: string }
  | { action: 'unverified'; anonymousPersonId: string | null };

export function decideLink(
  userPerson: KnownPerson | null,
  anonymousPerson: KnownPerson | null,
  userId: string,
  eventVerified: boolean,
): LinkDecision {
  // A cookie already linked to the user by a verified identify is the user's own browser.
  if (userPerson?.verified && !eventVerified && anonymousPerson?.id !== userPerson.id) {
    return { action: 'unverified', anonymousPersonId: anonymousPerson?.id ?? null };
  }
  if (!anonymousPerson) {
    return userPerson
      ? { action: 'attach-anonymous', userPersonId: userPerson.id }
      : { action: 'create-user', attachAnonymous: true };
  }
  if (userPerson && userPerson.id === anonymousPerson.id) return { action: 'same-person', personId: userPerson.id };
  if (anonymousPerson.userId !== null && anonymousPerson.userId !== userId) {
    return {
      action: 'conflict',
      userPersonId: userPerson?.id ?? null,
      anonymousPersonId: anonymousPerson.id,
      otherUserId: anonymousPerson.userId,
    };
  }
  if (!userPerson) return { action: 'promote-anonymous', personId: anonymousPerson.id };
  return { action: 'merge', fromPersonId: anonymousPerson.id, intoPersonId: userPerson.id };
}

const RANK: Record<PersonKind, number> = { visitor: 0, lead: 1, user: 2 };

/** Kinds only move forward: visitor → lead → user, never back. */
export function advanceKind(current: PersonKind, next: PersonKind): PersonKind {
  return RANK[next] > RANK[current] ? next : current;
}

/**
 * Traits from a newer event overwrite; traits from an older event (a late retry) only fill
 * keys the person does not have yet, so a stale value never replaces a fresh one.
 */
export function mergeTraits(
  current: Record<string, unknown>,
  currentAt: number,
  incoming: Record<string, unknown>,
  incomingAt: number,
): Record<string, unknown> {
  if (incomingAt >= currentAt) return { ...current, ...incoming };
  return { ...incoming, ...current };
}

/** The part of a person a merge decides. */
export interface MergeablePerson {
  traits: Record<string, unknown>;
  email: string | null;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * The survivor of a merge (DESIGN §4): its own traits win over the absorbed person's, the
 * earliest first-seen and latest last-seen are kept, and an email the survivor lacks is taken.
 */
export function mergedPersonFields(from: MergeablePerson, into: MergeablePerson): MergeablePerson {
  return {
    traits: { ...from.traits, ...into.traits },
    email: into.email ?? from.email,
    createdAt: Math.min(from.createdAt, into.createdAt),
    lastSeenAt: Math.max(from.lastSeenAt, into.lastSeenAt),
  };
}
