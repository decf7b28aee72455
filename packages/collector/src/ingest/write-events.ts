import { settleChain } from '../chain/chain-root.js';
import { erasureKey } from '../identity/erasure-key.js';
import { advanceKind, mergeTraits } from '../identity/identity-rules.js';
import { isPlaceholderId } from '../identity/placeholder-ids.js';
import { mergePeople, resolvePerson, type Warning } from '../identity/resolve-person.js';
import { recordInteraction } from '../messages/record-interaction.js';
import type { IngestTx } from '../store/ports.js';
import type { IdentityType, IngestOutcome, NormalizedEvent } from '../store/types.js';

/** A person's last-seen time moves forward only once it is this far behind (ARCHITECTURE.md). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * Runs after each stored event, inside the same unit of work (so it commits or rolls back with
 * the event, and a duplicate never runs it twice). Message interactions update deliveries here;
 * other domains (segments) add theirs.
 */
export type AfterStore = (tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent) => Promise<void>;

const ERASED: Warning = { code: 'erased', message: 'This person was deleted on request; their identifiers are refused until an admin lifts the erasure.' };

/**
 * The write path of one batch (DESIGN §3–§4), inside one unit of work: skip a messageId already
 * stored, refuse erased identifiers, resolve the person, apply traits, email and company, store
 * the event, then move last-seen once per person. Every rule is here; the repositories only
 * read and write rows.
 */
export async function writeEvents(
  tx: IngestTx,
  projectId: string,
  events: readonly NormalizedEvent[],
  afterStore: readonly AfterStore[] = [recordInteraction],
): Promise<IngestOutcome[]> {
  // Latest timestamp per person in this batch, written once at the end.
  const lastSeen = new Map<string, number>();
  const onMerge = (fromId: string, intoId: string): void => {
    const seen = lastSeen.get(fromId);
    if (seen === undefined) return;
    lastSeen.delete(fromId);
    lastSeen.set(intoId, Math.max(seen, lastSeen.get(intoId) ?? 0));
  };
  const messageIds = events.map((event) => event.messageId);
  // First, so a store of round trips reads the three answers below in as few as it can.
  await tx.identities.prefetch(projectId, identitiesNamed(events), messageIds);
  const checkErasures = await tx.identities.anyErased(projectId);
  const outcomes: IngestOutcome[] = [];
  // Stored before this batch, and stored by it (a batch may repeat a messageId).
  const stored = await tx.events.stored(projectId, messageIds);
  const storedNow = new Set<string>();

  for (const event of events) {
    if (stored.has(event.messageId) || storedNow.has(event.messageId)) {
      outcomes.push({ status: 'duplicate' });
      continue;
    }
    if (checkErasures && (await isErased(tx, projectId, event))) {
      outcomes.push({ status: 'rejected', ...ERASED });
      continue;
    }
    const resolved = await resolvePerson(tx, projectId, event, onMerge);
    if ('rejected' in resolved) {
      outcomes.push({ status: 'rejected', ...resolved.rejected });
      continue;
    }
    const { personId } = resolved;
    let warning = resolved.warning;
    if (event.verified && event.userId !== null) await tx.people.markVerified(personId);

    const changes = (event.type === 'identify' && Object.keys(event.traits).length > 0) || event.email !== null || (event.type === 'group' && event.groupId !== null);
    if (resolved.locked && changes) {
      warning ??= {
        code: 'unverified_identity',
        message: 'This person is verified and the event has no valid userHash; it was stored, but its traits, email and company were not applied.',
      };
    } else if (changes) {
      if (event.type === 'identify') await applyTraits(tx, personId, event.traits, event.timestamp);
      if (event.email) await applyEmail(tx, projectId, personId, event.email, event.timestamp, onMerge);
      if (event.type === 'group' && event.groupId) await applyGroup(tx, projectId, personId, event);
    }

    // The last known location (issue 11); a request that proves nothing about a verified person
    // does not move them either.
    if (event.geo && !resolved.locked) await tx.people.setLocation(personId, event.geo);
    await tx.events.insert(projectId, personId, event, await settleChain(tx.events, projectId, event));
    storedNow.add(event.messageId);
    for (const hook of afterStore) await hook(tx, projectId, personId, event);
    const seen = lastSeen.get(personId);
    if (seen === undefined || event.timestamp > seen) lastSeen.set(personId, event.timestamp);
    outcomes.push(warning ? { status: 'stored', personId, warning } : { status: 'stored', personId });
  }
  for (const [personId, at] of lastSeen) await tx.people.touch(personId, at, LAST_SEEN_RESOLUTION_MS);
  return outcomes;
}

/** The identities the batch's events will be resolved by (resolve-person.ts), each once, placeholders left out. */
function identitiesNamed(events: readonly NormalizedEvent[]): [IdentityType, string][] {
  const named = new Map<string, [IdentityType, string]>();
  const add = (type: IdentityType, value: string | null) => {
    if (value !== null && !isPlaceholderId(value)) named.set(`${type}\u0000${value}`, [type, value]);
  };
  for (const event of events) {
    add('anonymous', event.type === 'alias' ? event.previousId : event.anonymousId);
    add('user', event.userId);
    add('email', event.email);
  }
  return [...named.values()];
}

/** Erased identifiers are compared in the form they were recorded in (identity/erasure-key.ts). */
async function isErased(tx: IngestTx, projectId: string, event: NormalizedEvent): Promise<boolean> {
  const erased = async (type: IdentityType, value: string | null): Promise<boolean> =>
    value !== null && (await tx.identities.isErased(projectId, type, erasureKey(type, value)));
  return (
    (await erased('anonymous', event.anonymousId)) ||
    (await erased('user', event.userId)) ||
    // alias's previousId is an earlier id of either kind: an anonymous id or an old user id.
    (await erased('anonymous', event.previousId)) ||
    (await erased('user', event.previousId)) ||
    (await erased('email', event.email))
  );
}

async function applyTraits(tx: IngestTx, personId: string, traits: Record<string, unknown>, at: number): Promise<void> {
  const person = (await tx.people.get(personId))!;
  await tx.people.update(personId, { traits: mergeTraits(person.traits, person.traitsAt, traits, at), traitsAt: Math.max(person.traitsAt, at) });
}

/**
 * An email makes a visitor a lead and is recorded as an identity. When an identified user
 * gives the email of a lead nobody identified yet, the lead is folded into the user.
 * An email never pulls a person into someone else's profile.
 */
async function applyEmail(tx: IngestTx, projectId: string, personId: string, email: string, at: number, onMerge: (from: string, into: string) => void): Promise<void> {
  let person = (await tx.people.get(personId))!;
  const owner = await tx.identities.find(projectId, 'email', email);
  if (owner && owner !== personId && person.kind === 'user') {
    const lead = await tx.people.get(owner);
    if (lead && lead.userId === null) {
      await mergePeople(tx, projectId, lead, person, 'email', { anonymousId: null, userId: person.userId, messageId: '', at }, onMerge);
      person = (await tx.people.get(personId))!;
    }
  }
  const kind = advanceKind(person.kind, 'lead');
  // The App repeats identify (with the same email) on every page: write only what changed.
  if (owner === personId && person.email === email && person.kind === kind) return;
  if (!owner) await tx.identities.add(projectId, 'email', email, personId, at);
  await tx.people.update(personId, { kind, email });
}

async function applyGroup(tx: IngestTx, projectId: string, personId: string, event: NormalizedEvent): Promise<void> {
  const groupId = event.groupId!;
  const current = await tx.companies.get(projectId, groupId);
  const traits = current ? mergeTraits(current.traits, current.traitsAt, event.traits, event.timestamp) : event.traits;
  await tx.companies.save(projectId, groupId, traits, Math.max(current?.traitsAt ?? 0, event.timestamp), event.receivedAt);
  await tx.companies.addMember(projectId, groupId, personId, event.receivedAt);
}
