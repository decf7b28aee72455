import { existsSync, readFileSync } from 'node:fs';
import type { BatchResponse } from '@hark/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { computeUserHash } from '../src/identity/user-hash.js';
import { mid, startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
afterEach(async () => {
  await hark?.close();
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const identify = (anonymousId: string | null, userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'identify', messageId: mid('identify'), userId, ...(anonymousId ? { anonymousId } : {}), ...extra,
});
const track = (anonymousId: string | null, userId: string | null, event = 'Clicked') => ({
  type: 'track', event, messageId: mid(event), ...(anonymousId ? { anonymousId } : {}), ...(userId ? { userId } : {}),
});

async function batch(...events: object[]): Promise<BatchResponse> {
  return (await hark.send('/v1/batch', { batch: events })).json();
}
async function project() {
  return (await hark.admin('/api/v1/project')).json();
}
async function setVerification(mode: 'off' | 'verify' | 'enforce') {
  const res = await hark.admin('/api/v1/project', { method: 'PATCH', body: JSON.stringify({ identityVerification: mode }) });
  expect(res.status).toBe(200);
  return (await res.json()).verificationSecret as string;
}

describe('identity verification', () => {
  it('shows the setting and a verification secret that is not the secret key', async () => {
    hark = await startCollector();
    const settings = await project();
    expect(settings).toMatchObject({ identityVerification: 'off', allowedOrigins: [], writeKey: hark.project.writeKey });
    expect(settings.verificationSecret).toMatch(/^hk_v_[0-9a-f]{48}$/);
    expect(settings.verificationSecret).not.toBe(hark.project.secretKey);
    expect(settings).not.toHaveProperty('secretKey');
  });

  it('under enforce, refuses an identify without a valid userHash and accepts one with it', async () => {
    hark = await startCollector();
    const secret = await setVerification('enforce');
    const res = await batch(
      identify('anon-1', 'user-1'),
      identify('anon-1', 'user-1', { userHash: 'f'.repeat(64) }),
      identify('anon-1', 'user-1', { userHash: computeUserHash(secret, 'user-1') }),
    );
    expect(res.rejected.map((r) => [r.index, r.code])).toEqual([[0, 'verification_required'], [1, 'verification_required']]);
    expect(res.rejected[0]!.message).toMatch(/requires userHash/);
    expect(res.rejected[1]!.message).toMatch(/does not match/);
    expect(res.accepted).toBe(1);
  });

  it('keeps a stranger from taking over a verified person by calling identify from a console', async () => {
    hark = await startCollector();
    const secret = await setVerification('verify');
    await batch(track('ana-laptop', null, 'Browsed'), identify('ana-laptop', 'ana', { userHash: computeUserHash(secret, 'ana'), traits: { plan: 'pro' } }));
    const ana = await (await hark.admin('/api/v1/people/lookup?userId=ana')).json();

    // The attacker's own browser claims to be Ana without a hash.
    const attack = await batch(track('evil-browser', null, 'Looking Around'), identify('evil-browser', 'ana', { traits: { plan: 'free', email: 'evil@example.com' } }), track('evil-browser', 'ana', 'Pretending'));
    expect(attack.accepted).toBe(3);
    expect(attack.warnings.map((w) => w.code)).toEqual(['unverified_identity', 'unverified_identity']);

    const after = await (await hark.admin(`/api/v1/people/${ana.id}`)).json();
    expect(after.traits).toEqual({ plan: 'pro' });
    expect(after.identities.map((i: { value: string }) => i.value)).not.toContain('evil-browser');
    expect(after.counts.events).toBe(2);
    const attacker = await (await hark.admin('/api/v1/people/lookup?anonymousId=evil-browser')).json();
    expect(attacker.id).not.toBe(ana.id);
    expect(attacker).toMatchObject({ kind: 'lead', email: 'evil@example.com', userId: null });

    // Without any anonymous id to fall back on, the event is refused outright.
    const bare = await batch(track(null, 'ana', 'Direct'));
    expect(bare.rejected[0]?.code).toBe('unverified_identity');

    // Ana's own browser, linked by her verified identify, still works without a hash.
    const own = await batch(track('ana-laptop', 'ana', 'Clicked'));
    expect(own).toMatchObject({ accepted: 1, warnings: [] });
  });

  it('trusts events a server sends with the secret key', async () => {
    hark = await startCollector();
    const secret = await setVerification('enforce');
    await batch(identify('b-anon', 'bea', { userHash: computeUserHash(secret, 'bea') }));
    const res = await hark.app.request('/v1/batch', { ...json({ batch: [track(null, 'bea', 'Invoice Paid'), identify(null, 'bea', { traits: { seats: 5 } })] }), headers: { authorization: basic(hark.project.secretKey) } });
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: [], warnings: [] });
    expect((await (await hark.admin('/api/v1/people/lookup?userId=bea')).json()).traits).toEqual({ seats: 5 });
  });

  it('refuses the secret key on ingest when a browser page sends it', async () => {
    hark = await startCollector();
    const res = await hark.app.request('/v1/batch', {
      ...json({ batch: [track('a', null)] }),
      headers: { authorization: basic(hark.project.secretKey), origin: 'https://customer.test' },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('browser_origin');
  });

  it('takes the secret key on ingest only in the Authorization header, never in the URL or the body', async () => {
    hark = await startCollector();
    const secretKey = hark.project.secretKey;
    const inUrl = await hark.app.request(`/v1/batch?writeKey=${secretKey}`, json({ batch: [track('a', null)] }));
    expect(inUrl.status).toBe(403);
    const { error } = await inUrl.json();
    expect(error.code).toBe('secret_key_not_in_header');
    expect(error.message).toMatch(/in the URL .*access logs.*Authorization header.*Rotate it/);
    const inSingle = await hark.app.request(`/v1/track?writeKey=${secretKey}`, json({ event: 'Clicked', anonymousId: 'a' }));
    expect([inSingle.status, (await inSingle.json()).error.code]).toEqual([403, 'secret_key_not_in_header']);
    const inBody = await hark.app.request('/v1/batch', json({ writeKey: secretKey, batch: [track('a', null)] }));
    expect([inBody.status, (await inBody.json()).error.code]).toEqual([403, 'secret_key_not_in_header']);
    const asking = await hark.app.request(`/v1/messages?writeKey=${secretKey}&anonymousId=a`);
    expect([asking.status, (await asking.json()).error.code]).toEqual([403, 'secret_key_not_accepted']);
    // Nothing was stored, and the write key still works every way.
    expect((await hark.admin('/api/v1/people/lookup?anonymousId=a')).status).toBe(404);
    expect((await hark.app.request(`/v1/batch?writeKey=${hark.project.writeKey}`, json({ batch: [track('a', null)] }))).status).toBe(200);
    expect((await hark.app.request('/v1/batch', { ...json({ batch: [track('a', null)] }), headers: { authorization: basic(secretKey) } })).status).toBe(200);
  });

  it('honours a rotated verification secret during its grace period only', async () => {
    hark = await startCollector();
    const old = await setVerification('enforce');
    const rotated = await (await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', body: JSON.stringify({ key: 'verification', graceSeconds: 60 }) })).json();
    expect(rotated.verificationSecret).not.toBe(old);
    expect((await batch(identify(null, 'cy', { userHash: computeUserHash(old, 'cy') }))).accepted).toBe(1);
    expect((await batch(identify(null, 'cy', { userHash: computeUserHash(rotated.verificationSecret, 'cy') }))).accepted).toBe(1);
    hark.clock.advance(61_000);
    expect((await batch(identify(null, 'cy', { userHash: computeUserHash(old, 'cy') }))).rejected[0]?.code).toBe('verification_required');
  });
});

describe('keys', () => {
  it('rotates the write key with a grace period for the old one', async () => {
    hark = await startCollector();
    const oldKey = hark.project.writeKey;
    const res = await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', body: JSON.stringify({ key: 'write', graceSeconds: 3600 }) });
    const rotated = await res.json();
    expect(rotated.writeKey).not.toBe(oldKey);
    expect(rotated.previousKeyValidUntil).toBe(new Date(hark.clock.now() + 3_600_000).toISOString());
    const sendWith = (key: string) => hark.app.request('/v1/batch', json({ writeKey: key, batch: [track('rot', null)] }));
    expect((await sendWith(oldKey)).status).toBe(200);
    expect((await sendWith(rotated.writeKey)).status).toBe(200);
    hark.clock.advance(3_600_001);
    expect((await sendWith(oldKey)).status).toBe(401);
    expect((await sendWith(rotated.writeKey)).status).toBe(200);
  });

  it('rotates the secret key at once when no grace is asked for', async () => {
    hark = await startCollector();
    const rotated = await (await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', body: JSON.stringify({ key: 'secret' }) })).json();
    expect(rotated.secretKey).toMatch(/^hk_s_/);
    expect((await hark.admin('/api/v1/project')).status).toBe(401);
    const withNew = await hark.app.request('/api/v1/project', { headers: { authorization: `Bearer ${rotated.secretKey}` } });
    expect(withNew.status).toBe(200);
  });

  it('explains invalid settings field by field', async () => {
    hark = await startCollector();
    const res = await hark.admin('/api/v1/project', { method: 'PATCH', body: JSON.stringify({ identityVerification: 'maybe', allowedOrigins: ['https://ok.test', 'not a url', 'https://x.test/path'] }) });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('invalid_fields');
    expect(Object.keys(error.fields).sort()).toEqual(['allowedOrigins.1', 'allowedOrigins.2', 'identityVerification']);
    const rotate = await hark.admin('/api/v1/project/keys/rotate', { method: 'POST', body: JSON.stringify({ key: 'everything', graceSeconds: -1 }) });
    expect(Object.keys((await rotate.json()).error.fields).sort()).toEqual(['graceSeconds', 'key']);
    expect((await hark.admin('/api/v1/project', { method: 'PATCH', body: '{nope' })).status).toBe(400);
  });
});

describe('allowed origins', () => {
  it('refuses browser calls from other origins once set, and still takes server calls', async () => {
    hark = await startCollector();
    await hark.admin('/api/v1/project', { method: 'PATCH', body: JSON.stringify({ allowedOrigins: ['https://app.customer.test'] }) });
    const from = (origin?: string) =>
      hark.app.request('/v1/batch', { ...json({ writeKey: hark.project.writeKey, batch: [track('o', null)] }), headers: origin ? { origin } : {} });
    expect((await from('https://app.customer.test')).status).toBe(200);
    const other = await from('https://evil.test');
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe('origin_not_allowed');
    expect((await from()).status).toBe(200);
  });
});

describe('rate limits', () => {
  const env = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

  it('answers 429 with Retry-After per client address, and lets the client back in after waiting', async () => {
    hark = await startCollector({ app: { rateLimits: { perClient: { perSecond: 2, burst: 3 } } } });
    const send = (address: string) => hark.app.request('/v1/batch', json({ writeKey: hark.project.writeKey, batch: [track('rl', null)] }), env(address));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send('203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await send('203.0.113.7');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect((await send('198.51.100.1')).status).toBe(200);
    hark.clock.advance(1000);
    expect((await send('203.0.113.7')).status).toBe(200);
  });

  it('limits a write key across addresses, and the admin API on its own', async () => {
    hark = await startCollector({ app: { rateLimits: { perWriteKey: { perSecond: 1, burst: 2 }, admin: { perSecond: 1, burst: 1 } } } });
    const send = (address: string) => hark.app.request('/v1/batch', json({ writeKey: hark.project.writeKey, batch: [track('rk', null)] }), env(address));
    expect([(await send('192.0.2.1')).status, (await send('192.0.2.2')).status, (await send('192.0.2.3')).status]).toEqual([200, 200, 429]);
    const admin = () => hark.app.request('/api/v1/project', { headers: { authorization: `Bearer ${hark.project.secretKey}` } }, env('192.0.2.9'));
    expect([(await admin()).status, (await admin()).status]).toEqual([200, 429]);
  });
});

describe('client addresses behind proxies', () => {
  const viaProxy = (forwardedFor: string) => [{ ...json({ writeKey: hark.project.writeKey, batch: [track('px', null)] }), headers: { 'x-forwarded-for': forwardedFor } }, { incoming: { socket: { remoteAddress: '10.0.0.1' } } }] as const;

  it('limits a client that rotates X-Forwarded-For, by the entry its one proxy wrote', async () => {
    hark = await startCollector({ app: { trustProxy: 1, rateLimits: { perClient: { perSecond: 1, burst: 2 } } } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await hark.app.request('/v1/batch', ...viaProxy(`198.18.0.${i}, 203.0.113.7`))).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect((await hark.app.request('/v1/batch', ...viaProxy('203.0.113.7, 203.0.113.8'))).status).toBe(200);
  });

  it('counts as many entries from the right as there are proxies, and keeps true meaning one', async () => {
    hark = await startCollector({ app: { trustProxy: 2, rateLimits: { perClient: { perSecond: 1, burst: 1 } } } });
    expect((await hark.app.request('/v1/batch', ...viaProxy('198.18.0.1, 203.0.113.7, 10.0.0.2'))).status).toBe(200);
    expect((await hark.app.request('/v1/batch', ...viaProxy('198.18.0.2, 203.0.113.7, 10.0.0.2'))).status).toBe(429);
    expect((await hark.app.request('/v1/batch', ...viaProxy('203.0.113.9, 10.0.0.2'))).status).toBe(200);
    await hark.close();
    hark = await startCollector({ app: { trustProxy: true, rateLimits: { perClient: { perSecond: 1, burst: 1 } } } });
    expect((await hark.app.request('/v1/batch', ...viaProxy('198.18.0.1, 203.0.113.7'))).status).toBe(200);
    expect((await hark.app.request('/v1/batch', ...viaProxy('198.18.0.2, 203.0.113.7'))).status).toBe(429);
  });

  it('reads HARK_TRUST_PROXY as a number of proxies, and refuses anything else at start', () => {
    const proxies = (value: string | undefined) => readConfig({ HARK_TRUST_PROXY: value }, '/srv/hark').trustProxy;
    expect([proxies(undefined), proxies('false'), proxies('0'), proxies('true'), proxies('1'), proxies('2')]).toEqual([0, 0, 0, 1, 1, 2]);
    expect(() => proxies('yes')).toThrow(/number of proxies/);
    expect(() => proxies('-1')).toThrow(/number of proxies/);
  });
});

describe('privacy requests', () => {
  async function seedPerson() {
    await batch(
      { ...track('del-anon', null, 'Viewed'), properties: { note: '<script>alert(1)</script>' } },
      identify('del-anon', 'del-user', { traits: { email: 'del@example.com', name: 'Dee' } }),
      { type: 'group', messageId: mid(), userId: 'del-user', groupId: 'del-co', traits: { name: 'Del Co' } },
    );
    return (await hark.admin('/api/v1/people/lookup?userId=del-user')).json();
  }

  it('exports everything held about a person as JSON', async () => {
    hark = await startCollector();
    const person = await seedPerson();
    const res = await hark.admin(`/api/v1/people/${person.id}/export`);
    expect(res.headers.get('content-disposition')).toContain(`hark-person-${person.id}.json`);
    const data = await res.json();
    expect(data.person).toMatchObject({ id: person.id, traits: { email: 'del@example.com', name: 'Dee' }, companies: [{ id: 'del-co' }] });
    expect(data.person.identities.map((i: { value: string }) => i.value).sort()).toEqual(['del-anon', 'del-user', 'del@example.com']);
    expect(data.events.map((e: { type: string }) => e.type).sort()).toEqual(['group', 'identify', 'track']);
    expect(data.events.find((e: { type: string }) => e.type === 'track').properties.note).toBe('<script>alert(1)</script>');
    expect(data.deliveries).toEqual([]);
    expect(data.exportedAt).toBe(new Date(hark.clock.now()).toISOString());
  });

  it('streams a long history whole: every event once, newest first, in valid JSON', async () => {
    hark = await startCollector();
    const start = hark.clock.now();
    for (let batch = 0; batch < 5; batch++) {
      const events = Array.from({ length: 410 }, (_, i) => ({ type: 'track', messageId: `long-${batch}-${i}`, anonymousId: 'long-anon', event: 'Tick', properties: { n: batch * 410 + i }, timestamp: new Date(start - (batch * 410 + i) * 1_000).toISOString() }));
      expect((await hark.send('/v1/batch', { batch: events })).status).toBe(200);
    }
    const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=long-anon')).json();
    const res = await hark.admin(`/api/v1/people/${person.id}/export`);
    expect(res.headers.get('content-type')).toContain('application/json');
    const data = JSON.parse(await res.text());
    expect(data.person.id).toBe(person.id);
    // 2,050 events: more than two pages of the stream, each once, newest (n = 0) first.
    expect(data.events.map((e: { properties: { n: number } }) => e.properties.n)).toEqual(Array.from({ length: 2050 }, (_, i) => i));
  });

  it('erases a person and refuses late events for them until the erasure is lifted', async () => {
    hark = await startCollector();
    const person = await seedPerson();
    const res = await hark.admin(`/api/v1/people/${person.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.events).toBe(3);
    expect(report.erasedIdentities).toHaveLength(3);

    expect((await hark.admin(`/api/v1/people/${person.id}`)).status).toBe(404);
    expect((await hark.admin('/api/v1/people/lookup?anonymousId=del-anon')).status).toBe(404);
    const company = await (await hark.admin('/api/v1/companies/del-co')).json();
    expect(company.people).toEqual([]);

    const late = await batch(track('del-anon', null, 'Late'), track(null, 'del-user', 'Late'), { ...track('other', null, 'Form'), properties: { email: 'del@example.com' } });
    expect(late.rejected.map((r) => r.code)).toEqual(['erased', 'erased', 'erased']);
    expect((await hark.admin('/api/v1/people/lookup?anonymousId=del-anon')).status).toBe(404);

    const erased = await (await hark.admin('/api/v1/erasures')).json();
    expect(erased.items.map((i: { type: string; value: string }) => `${i.type}:${i.value}`).sort()).toEqual(['anonymous:del-anon', 'email:del@example.com', 'user:del-user']);
    expect((await hark.admin('/api/v1/erasures/anonymous/del-anon', { method: 'DELETE' })).status).toBe(200);
    expect((await hark.admin('/api/v1/erasures/anonymous/del-anon', { method: 'DELETE' })).status).toBe(404);
    expect((await hark.admin('/api/v1/erasures/robot/x', { method: 'DELETE' })).status).toBe(400);
    expect((await batch(track('del-anon', null, 'Back'))).accepted).toBe(1);
  });

  it('refuses an erased id however ingest would spell it, and through alias on either side', async () => {
    hark = await startCollector();
    const person = await seedPerson();
    expect((await hark.admin(`/api/v1/people/${person.id}`, { method: 'DELETE' })).status).toBe(200);
    const alias = (previousId: string, userId: string) => ({ type: 'alias', messageId: mid('alias'), previousId, userId });
    const late = await batch(
      track(null, 'del-user ', 'Late'),
      track(null, '\tdel-user', 'Late'),
      track(' del-anon ', null, 'Late'),
      identify('fresh-anon', 'fresh-user', { traits: { email: '  DEL@Example.com ' } }),
      alias('del-user', 'new-account'),
      alias('del-anon', 'new-account'),
      alias('new-device', 'del-user '),
    );
    expect(late.rejected.map((r) => r.code)).toEqual(Array(7).fill('erased'));
    for (const lookup of ['userId=new-account', 'userId=fresh-user', 'userId=del-user%20']) {
      expect((await hark.admin(`/api/v1/people/lookup?${lookup}`)).status).toBe(404);
    }
    // Lifting takes the id as it was recorded, or as the event spelled it.
    expect((await hark.admin('/api/v1/erasures/user/del-user%20', { method: 'DELETE' })).status).toBe(200);
    expect((await batch(alias('del-user', 'new-account'))).accepted).toBe(1);
  });

  it('leaves none of an erased person\'s data in the database file or its WAL', async () => {
    hark = await startCollector();
    const phone = '+99 555 0142 7731';
    const name = 'Zebulon Quartermaine';
    const event = 'Purchased Zircon Telescope';
    const bytesOnDisk = () => Buffer.concat([hark.dbPath, `${hark.dbPath}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
    const found = () => [phone, name, event].filter((needle) => bytesOnDisk().includes(Buffer.from(needle)));
    // Someone else's rows keep sharing the pages the erased person's rows sat on.
    const neighbour = (i: number) => ({ ...track(`neighbour-${i}`, null, 'Browsed'), properties: { n: i } });
    await batch(
      { ...track('zeb-phone', null, event), properties: { phone, notes: `${name} `.repeat(400) } },
      neighbour(1),
      identify('zeb-phone', 'zeb', { traits: { name, phone, email: 'zeb@example.com' } }),
      neighbour(2),
      ...Array.from({ length: 40 }, (_, i) => ({ ...track(null, 'zeb', event), properties: { phone, i } })),
      neighbour(3),
      identify('zeb-laptop', 'zeb', { traits: { name: `${name} Jr`, phone } }),
    );
    await batch(...Array.from({ length: 40 }, (_, i) => neighbour(10 + i)));
    expect(found()).toEqual([phone, name, event]);

    const person = await (await hark.admin('/api/v1/people/lookup?userId=zeb')).json();
    expect((await hark.admin(`/api/v1/people/${person.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(found()).toEqual([]);
    expect((await hark.admin('/api/v1/people/lookup?anonymousId=neighbour-3')).status).toBe(200);
  });

  it('answers 404 for a person that does not exist', async () => {
    hark = await startCollector();
    expect((await hark.admin('/api/v1/people/nobody/export')).status).toBe(404);
    expect((await hark.admin('/api/v1/people/nobody', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('hostile values', () => {
  it('stores prototype-poisoning keys harmlessly and HTML as plain text', async () => {
    hark = await startCollector();
    const body = `{"batch":[{"type":"identify","messageId":"proto","anonymousId":"hostile","traits":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"name":"<img src=x onerror=alert(1)>","bio":"'; DROP TABLE people; --"}}]}`;
    const res = await hark.send('/v1/batch', body);
    expect((await res.json()).accepted).toBe(1);
    const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=hostile')).json();
    expect(person.traits).toEqual({ name: '<img src=x onerror=alert(1)>', bio: "'; DROP TABLE people; --" });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await hark.admin('/api/v1/people')).status).toBe(200);
  });
});
