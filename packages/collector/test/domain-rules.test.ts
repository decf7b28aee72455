import { describe, expect, it } from 'vitest';
import { advanceKind, decideLink, mergedPersonFields, mergeTraits, type KnownPerson } from '../src/identity/identity-rules.js';
import { loadEligibilityFacts, readFactsOneByOne, type FactReads, type FactsQuery } from '../src/messages/eligibility-facts.js';
import { readAnswer } from '../src/messages/read-answer.js';
import type { FactsPerson, MessageStore } from '../src/store/message-store.js';

/** The pure rules the stores no longer hold, tested with plain values: no database at all. */

const person = (id: string, fields: Partial<KnownPerson> = {}): KnownPerson => ({ id, kind: 'visitor', userId: null, verified: false, ...fields });

describe('identity rules', () => {
  it('decides every link of an anonymous id to a user id', () => {
    expect(decideLink(null, null, 'u', false)).toEqual({ action: 'create-user', attachAnonymous: true });
    expect(decideLink(person('U', { kind: 'user', userId: 'u' }), null, 'u', false)).toEqual({ action: 'attach-anonymous', userPersonId: 'U' });
    expect(decideLink(null, person('A'), 'u', false)).toEqual({ action: 'promote-anonymous', personId: 'A' });
    expect(decideLink(person('U', { kind: 'user', userId: 'u' }), person('A'), 'u', false)).toEqual({ action: 'merge', fromPersonId: 'A', intoPersonId: 'U' });
    expect(decideLink(person('U', { userId: 'u' }), person('U', { userId: 'u' }), 'u', false)).toEqual({ action: 'same-person', personId: 'U' });
    expect(decideLink(null, person('A', { kind: 'user', userId: 'other' }), 'u', false)).toMatchObject({ action: 'conflict', otherUserId: 'other' });
    expect(decideLink(person('U', { userId: 'u', verified: true }), person('A'), 'u', false)).toEqual({ action: 'unverified', anonymousPersonId: 'A' });
    expect(decideLink(person('U', { userId: 'u', verified: true }), person('A'), 'u', true)).toEqual({ action: 'merge', fromPersonId: 'A', intoPersonId: 'U' });
  });

  it('keeps the survivor\'s traits, the earliest first seen, the latest last seen and any email', () => {
    const from = { traits: { plan: 'free', utm: 'ads' }, email: 'a@example.com', createdAt: 10, lastSeenAt: 50 };
    const into = { traits: { plan: 'pro' }, email: null, createdAt: 20, lastSeenAt: 40 };
    expect(mergedPersonFields(from, into)).toEqual({ traits: { plan: 'pro', utm: 'ads' }, email: 'a@example.com', createdAt: 10, lastSeenAt: 50 });
  });

  it('lets a late event only fill gaps, and kinds only move forward', () => {
    expect(mergeTraits({ plan: 'pro' }, 100, { plan: 'free', seats: 2 }, 50)).toEqual({ plan: 'pro', seats: 2 });
    expect(mergeTraits({ plan: 'pro' }, 100, { plan: 'team' }, 150)).toEqual({ plan: 'team' });
    expect(advanceKind('user', 'lead')).toBe('user');
    expect(advanceKind('visitor', 'lead')).toBe('lead');
  });
});

describe('answers', () => {
  it('reads a survey grade, an input text and a cta click by the message kind', () => {
    expect(readAnswer('survey', { value: '4', text: ' great ' })).toEqual({ value: 4, text: 'great' });
    expect(readAnswer('survey', { value: 9 })).toBeNull();
    expect(readAnswer('input', { value: '  hello ' })).toEqual({ value: null, text: 'hello' });
    expect(readAnswer('input', { value: '' })).toBeNull();
    expect(readAnswer('cta', {})).toEqual({ value: null, text: null });
  });
});

describe('eligibility facts', () => {
  const vera: FactsPerson = { id: 'V', kind: 'user', userId: 'vera', email: 'vera@example.com', traits: { name: 'Vera' }, verified: true };
  // The four reads as the SQLite store makes them, one by one (PostgreSQL makes them in one statement).
  const fake = (byUser: FactsPerson | null, byAnonymous: FactsPerson | null) => {
    const reads = {
      person: async (_project: string, type: string) => (type === 'user' ? byUser : byAnonymous),
      isSuppressed: async () => false,
      countEvents: async (_id: string, rules: readonly unknown[]) => rules.map(() => 1),
      deliveryStats: async () => new Map(),
    } as unknown as FactReads;
    return { eligibilityFacts: (projectId: string, query: FactsQuery) => readFactsOneByOne(reads, projectId, query) } as unknown as MessageStore;
  };
  const query = { userId: 'vera', anonymousId: 'cookie', eventRules: [] };

  it('uses a verified person\'s traits only with proof', async () => {
    expect((await loadEligibilityFacts(fake(vera, vera), 'p', { ...query, userVerified: true })).person).toMatchObject({ traits: { name: 'Vera' }, email: 'vera@example.com' });
    const unproven = await loadEligibilityFacts(fake(vera, vera), 'p', { ...query, userVerified: false });
    expect(unproven).toMatchObject({ userIdIgnored: true, person: { id: 'V', traits: {}, email: null, userId: null } });
  });

  it('answers for someone never seen without creating anything', async () => {
    expect(await loadEligibilityFacts(fake(null, null), 'p', { ...query, userVerified: false, eventRules: [{ event: 'X', since: 0 }] })).toMatchObject({ person: null, eventCounts: [0] });
  });
});
