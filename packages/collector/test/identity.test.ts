import type { BatchResponse } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const at = (offsetSeconds: number) => new Date(Date.parse('2026-11-21T12:00:00.000Z') + offsetSeconds * 1000).toISOString();
const track = (anonymousId: string | null, userId: string | null, event: string, t = 0) => ({
  type: 'track', event, messageId: mid(event), timestamp: at(t), ...(anonymousId ? { anonymousId } : {}), ...(userId ? { userId } : {}),
});
const identify = (anonymousId: string | null, userId: string | null, traits: Record<string, unknown> = {}, t = 0) => ({
  type: 'identify', messageId: mid('identify'), timestamp: at(t), traits, ...(anonymousId ? { anonymousId } : {}), ...(userId ? { userId } : {}),
});

async function batch(...events: object[]): Promise<BatchResponse> {
  return (await hark.send('/v1/batch', { batch: events })).json() as Promise<BatchResponse>;
}
async function lookup(query: string) {
  const res = await hark.admin(`/api/v1/people/lookup?${query}`);
  return res.status === 200 ? res.json() : null;
}
async function activityNames(personId: string): Promise<string[]> {
  const body = await (await hark.admin(`/api/v1/people/${personId}/activity`)).json();
  return body.items.map((item: { type: string; name: string | null }) => item.name ?? item.type);
}

describe('identify folds anonymous history into the contact', () => {
  it('gives the contact every event the visitor made before logging in', async () => {
    await batch(track('anon-a', null, 'Viewed Pricing', 1), track('anon-a', null, 'Started Trial', 2));
    const visitor = await lookup('anonymousId=anon-a');
    expect(visitor.kind).toBe('visitor');

    await batch(identify('anon-a', 'user-a', { name: 'Ana' }, 3));
    const contact = await lookup('userId=user-a');
    expect(contact.kind).toBe('user');
    expect(await activityNames(contact.id)).toEqual(['identify', 'Started Trial', 'Viewed Pricing']);
  });

  it('merges an anonymous visitor into a user who already exists, keeping the earliest first-seen and the user traits', async () => {
    await batch(identify(null, 'user-b', { plan: 'pro', name: 'Bea' }, 100));
    await batch(identify('anon-b', null, {}, 0), track('anon-b', null, 'Read Docs', 1));
    await batch({ ...identify(null, null, {}), traits: { plan: 'free', color: 'blue' }, anonymousId: 'anon-b', type: 'identify' });
    const before = await lookup('userId=user-b');
    const visitor = await lookup('anonymousId=anon-b');
    expect(visitor.id).not.toBe(before.id);

    const res = await batch(identify('anon-b', 'user-b', {}, 200));
    expect(res.warnings).toEqual([]);
    const merged = await lookup('userId=user-b');
    expect(merged.id).toBe(before.id);
    expect(merged.traits).toEqual({ plan: 'pro', name: 'Bea', color: 'blue' });
    expect(merged.firstSeenAt).toBe(at(0));
    expect(merged.mergedFrom).toEqual([visitor.id]);
    expect(await activityNames(merged.id)).toContain('Read Docs');
    // The visitor's old id still answers, with the survivor.
    const viaOldId = await (await hark.admin(`/api/v1/people/${visitor.id}`)).json();
    expect(viaOldId.id).toBe(merged.id);
  });

  it('does not merge an anonymous id that already belongs to another user, and loses no event', async () => {
    await batch(track('shared-laptop', null, 'Browsed', 1), identify('shared-laptop', 'user-c1', {}, 2));
    const res = await batch(identify('shared-laptop', 'user-c2', { name: 'Intruder' }, 3), track('shared-laptop', 'user-c2', 'Clicked', 4));
    expect(res.accepted).toBe(2);
    expect(res.warnings.map((w) => w.code)).toEqual(['identity_conflict', 'identity_conflict']);

    const first = await lookup('userId=user-c1');
    const second = await lookup('userId=user-c2');
    expect(first.id).not.toBe(second.id);
    expect(await activityNames(first.id)).toEqual(['identify', 'Browsed']);
    expect(await activityNames(second.id)).toEqual(['Clicked', 'identify']);
    expect(first.traits).toEqual({});
    expect((await lookup('anonymousId=shared-laptop')).id).toBe(first.id);
  });

  it('never merges on placeholder ids', async () => {
    for (const placeholder of ['null', 'undefined', '0', 'anonymous', '', 'NULL']) {
      const res = await batch({ ...identify('anon-d', null, { name: 'Nobody' }), userId: placeholder });
      expect(res.rejected[0]?.code, placeholder || '(empty)').toBe('placeholder_id');
    }
    const res = await batch(track('undefined', null, 'Ghost'));
    expect(res.rejected[0]?.code).toBe('placeholder_id');
    expect(await lookup('userId=null')).toBeNull();
  });

  it('links an anonymous id by alias the way identify does', async () => {
    await batch(track('anon-e', null, 'Before Alias', 1));
    await batch({ type: 'alias', messageId: mid(), previousId: 'anon-e', userId: 'user-e', timestamp: at(2) });
    expect(await activityNames((await lookup('userId=user-e')).id)).toContain('Before Alias');
  });

  it('keeps the newest trait values even when an older identify arrives late', async () => {
    await batch(identify(null, 'user-f', { plan: 'enterprise' }, 50));
    await batch(identify(null, 'user-f', { plan: 'free', company: 'Acme' }, 10));
    expect((await lookup('userId=user-f')).traits).toEqual({ plan: 'enterprise', company: 'Acme' });
    await batch(identify(null, 'user-f', { plan: 'pro' }, 60));
    expect((await lookup('userId=user-f')).traits).toEqual({ plan: 'pro', company: 'Acme' });
  });
});

describe('contact kinds', () => {
  it('makes a visitor who gives an email a lead, and the lead a user on identify', async () => {
    await batch(track('anon-g', null, 'Visited', 1));
    await batch({ type: 'track', event: 'Message Answered', messageId: mid(), anonymousId: 'anon-g', properties: { email: 'Gus@Example.com' }, timestamp: at(2) });
    const lead = await lookup('email=gus@example.com');
    expect(lead).toMatchObject({ kind: 'lead', email: 'gus@example.com', userId: null });

    await batch(identify('anon-g', 'user-g', { email: 'gus@example.com' }, 3));
    const user = await lookup('userId=user-g');
    expect(user).toMatchObject({ id: lead.id, kind: 'user', email: 'gus@example.com' });
  });

  it('folds a lead into the user who later identifies with the same email', async () => {
    await batch({ type: 'identify', messageId: mid(), anonymousId: 'anon-h-phone', traits: { email: 'hal@example.com' }, timestamp: at(1) });
    const lead = await lookup('email=hal@example.com');
    expect(lead.kind).toBe('lead');
    await batch(identify('anon-h-laptop', 'user-h', { email: 'hal@example.com' }, 5));
    const user = await lookup('userId=user-h');
    expect(user.mergedFrom).toContain(lead.id);
    expect(user.identities.map((i: { value: string }) => i.value)).toEqual(expect.arrayContaining(['anon-h-phone', 'anon-h-laptop', 'hal@example.com']));
  });

  it('never turns a user back into a visitor or lead', async () => {
    await batch(identify('anon-i', 'user-i', {}, 1));
    await batch({ type: 'track', event: 'Form', messageId: mid(), anonymousId: 'anon-i', properties: { email: 'ivy@example.com' }, timestamp: at(2) });
    expect((await lookup('userId=user-i')).kind).toBe('user');
  });

  it('ignores an invalid email for lead purposes', async () => {
    await batch({ type: 'track', event: 'Form', messageId: mid(), anonymousId: 'anon-j', properties: { email: 'not-an-email' } });
    expect((await lookup('anonymousId=anon-j')).kind).toBe('visitor');
  });
});

describe('group', () => {
  it('attaches the person to a company and merges company traits', async () => {
    await batch({ type: 'group', messageId: mid(), userId: 'user-k', groupId: 'globex', traits: { name: 'Globex', seats: 10 }, timestamp: at(1) });
    await batch({ type: 'group', messageId: mid(), anonymousId: 'anon-k2', groupId: 'globex', traits: { seats: 12 }, timestamp: at(2) });
    const company = await (await hark.admin('/api/v1/companies/globex')).json();
    expect(company).toMatchObject({ id: 'globex', name: 'Globex', traits: { name: 'Globex', seats: 12 } });
    expect(company.people).toHaveLength(2);
    expect((await lookup('userId=user-k')).companies.map((c: { id: string }) => c.id)).toEqual(['globex']);
  });
});
