import type { BatchResponse, MessagesResponse } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeUserHash } from '../src/identity/user-hash.js';
import { mid, startCollector, type TestCollector } from './harness.js';

/**
 * Issue 9, item 2: a verified user's anonymous id sits in their cookie, in links they share and
 * in logs. Knowing it must not let anyone rewrite them or read them back through messages.
 */
let hark: TestCollector;
let secret: string;
beforeEach(async () => {
  hark = await startCollector();
  const res = await hark.admin('/api/v1/project', { method: 'PATCH', body: JSON.stringify({ identityVerification: 'enforce' }) });
  secret = (await res.json()).verificationSecret as string;
  await batch({
    type: 'identify', messageId: mid('id'), anonymousId: 'ana-cookie', userId: 'ana',
    userHash: computeUserHash(secret, 'ana'), traits: { name: 'Ana', email: 'ana@example.com', plan: 'pro' },
  });
});
afterEach(async () => {
  await hark.close();
});

async function batch(...events: object[]): Promise<BatchResponse> {
  return (await hark.send('/v1/batch', { batch: events })).json();
}
async function person(query: string) {
  const res = await hark.admin(`/api/v1/people/lookup?${query}`);
  return res.status === 200 ? res.json() : null;
}

describe('a verified person reached only by their anonymous id', () => {
  it('keeps the events but applies none of their traits, email or company', async () => {
    const attack = await batch(
      { type: 'identify', messageId: mid('a'), anonymousId: 'ana-cookie', traits: { name: 'Mallory', email: 'mallory@evil.test' } },
      { type: 'track', messageId: mid('a'), anonymousId: 'ana-cookie', event: 'Signed Up', properties: { email: 'mallory@evil.test' } },
      { type: 'group', messageId: mid('a'), anonymousId: 'ana-cookie', groupId: 'evil-corp', traits: { name: 'Evil' } },
      { type: 'track', messageId: mid('a'), anonymousId: 'ana-cookie', event: 'Clicked' },
    );
    expect(attack.accepted).toBe(4);
    expect(attack.warnings.map((w) => [w.index, w.code])).toEqual([[0, 'unverified_identity'], [1, 'unverified_identity'], [2, 'unverified_identity']]);

    const ana = await person('userId=ana');
    expect(ana).toMatchObject({ kind: 'user', email: 'ana@example.com', traits: { name: 'Ana', email: 'ana@example.com', plan: 'pro' }, companies: [] });
    expect(ana.counts.events).toBe(5);
    expect(await person('email=mallory%40evil.test')).toBeNull();
  });

  it('still applies traits sent with a valid userHash, or by a server with the secret key', async () => {
    await batch({ type: 'identify', messageId: mid('ok'), anonymousId: 'ana-cookie', userId: 'ana', userHash: computeUserHash(secret, 'ana'), traits: { plan: 'team' } });
    expect((await person('userId=ana')).traits.plan).toBe('team');
    const server = await hark.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${hark.project.secretKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch: [{ type: 'identify', messageId: mid('srv'), anonymousId: 'ana-cookie', traits: { seats: 3 } }] }),
    });
    expect(await server.json()).toMatchObject({ accepted: 1, warnings: [] });
    expect((await person('userId=ana')).traits).toMatchObject({ plan: 'team', seats: 3 });
  });

  it('answers eligibility for the anonymous id without the person\'s traits', async () => {
    const created = await hark.admin('/api/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'hi', kind: 'notification', status: 'live', content: { title: 'Hi {{name|there}}, {{email|no email}}' } }),
    });
    expect(created.status).toBe(201);
    const ask = async (query: string): Promise<MessagesResponse> =>
      (await hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&${query}`)).json();

    expect((await ask('anonymousId=ana-cookie')).messages.map((m) => m.content.title)).toEqual(['Hi there, no email']);
    const proven = await ask(`anonymousId=ana-cookie&userId=ana&userHash=${computeUserHash(secret, 'ana')}`);
    expect(proven.messages.map((m) => m.content.title)).toEqual(['Hi Ana, ana@example.com']);
  });
});
