import type { PersonKind } from '../store/types.js';

/** The person who already holds an identifier given for a contact. */
export interface Holder {
  id: string;
  kind: PersonKind;
  userId: string | null;
  email: string | null;
}

export type ContactDecision =
  | { action: 'create' }
  | { action: 'update'; personId: string; setEmail: boolean; setUserId: boolean }
  | { action: 'reject'; reason: string };

/**
 * How an imported (or admin-created) contact lands (DESIGN §4, §6, §8): never a duplicate of
 * whoever holds its email or user id, never a re-creation of an erased identifier, and never a
 * merge of two people (that is identify's job, with its own rules).
 */
export function decideContact(input: {
  email: string;
  userId: string | null;
  erased: { email: boolean; userId: boolean };
  byEmail: Holder | null;
  byUserId: Holder | null;
}): ContactDecision {
  if (input.erased.email) return { action: 'reject', reason: 'this email belongs to a person erased on request' };
  if (input.erased.userId) return { action: 'reject', reason: 'this user id belongs to a person erased on request' };
  const { byEmail, byUserId } = input;
  if (byEmail && byUserId && byEmail.id !== byUserId.id) {
    return { action: 'reject', reason: 'the email and the user id belong to two different people' };
  }
  const holder = byEmail ?? byUserId;
  if (!holder) return { action: 'create' };
  if (input.userId !== null && holder.userId !== null && holder.userId !== input.userId) {
    return { action: 'reject', reason: 'this email belongs to a person with another user id' };
  }
  // Found by user id with another email: the new one is added, as an identify carrying it would.
  return { action: 'update', personId: holder.id, setEmail: byEmail === null, setUserId: input.userId !== null && holder.userId === null };
}
