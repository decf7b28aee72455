import { gzipSync } from 'node:zlib';
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

async function timeline(query: string) {
  const person = await (await hark.admin(`/api/v1/people/lookup?${query}`)).json();
  const activity = await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=200`)).json();
  return { person, items: activity.items as { messageId: string; type: string; name: string | null; [k: string]: unknown }[] };
}

describe('POST /v1/batch', () => {
  it('stores a Segment-spec batch of every event type and reads it back', async () => {
    const sentAt = new Date(hark.clock.now()).toISOString();
    const at = (s: number) => new Date(hark.clock.now() - s * 1000).toISOString();
    const batch = [
      { type: 'page', messageId: 'p1', anonymousId: 'anon-1', name: 'Pricing', timestamp: at(50),
        properties: { url: 'https://acme.test/pricing?utm_source=news&utm_campaign=fall', path: '/pricing', title: 'Pricing' },
        context: { locale: 'fr-FR', timezone: 'Europe/Paris', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' } },
      { type: 'track', messageId: 't1', anonymousId: 'anon-1', event: 'Plan Viewed', properties: { plan: 'pro' }, timestamp: at(40) },
      { type: 'identify', messageId: 'i1', anonymousId: 'anon-1', userId: 'user-1', traits: { email: 'ana@acme.test', name: 'Ana' }, timestamp: at(30) },
      { type: 'group', messageId: 'g1', userId: 'user-1', groupId: 'acme', traits: { name: 'Acme', plan: 'enterprise' }, timestamp: at(20) },
      { type: 'screen', messageId: 's1', userId: 'user-1', name: 'Home', timestamp: at(15) },
      { type: 'alias', messageId: 'a1', userId: 'user-1', previousId: 'anon-2', timestamp: at(10) },
    ];
    const res = await hark.send('/v1/batch', { batch, sentAt });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, accepted: 6, duplicates: 0, rejected: [], warnings: [] });

    const { person, items } = await timeline('userId=user-1');
    expect(person).toMatchObject({ kind: 'user', userId: 'user-1', email: 'ana@acme.test', name: 'Ana' });
    expect(person.identities.map((i: { type: string; value: string }) => `${i.type}:${i.value}`).sort()).toEqual([
      'anonymous:anon-1', 'anonymous:anon-2', 'email:ana@acme.test', 'user:user-1',
    ]);
    expect(person.companies).toEqual([{ id: 'acme', name: 'Acme', traits: { name: 'Acme', plan: 'enterprise' } }]);
    expect(person.counts).toEqual({ events: 6, pageViews: 2, tracks: 1, identifies: 1 });
    expect(items.map((item) => item.messageId)).toEqual(['a1', 's1', 'g1', 'i1', 't1', 'p1']);

    const page = items.find((item) => item.messageId === 'p1')!;
    expect(page).toMatchObject({
      type: 'page',
      name: 'Pricing',
      page: { url: 'https://acme.test/pricing?utm_source=news&utm_campaign=fall', path: '/pricing', title: 'Pricing', referrer: null },
      campaign: { source: 'news', name: 'fall' },
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
      device: { browser: 'Chrome', os: 'Mac OS', type: 'desktop' },
      receivedAt: new Date(hark.clock.now()).toISOString(),
    });
    expect(items.find((item) => item.messageId === 't1')).toMatchObject({ name: 'Plan Viewed', properties: { plan: 'pro' } });

    const company = await (await hark.admin('/api/v1/companies/acme')).json();
    expect(company.people.map((p: { id: string }) => p.id)).toEqual([person.id]);
  });

  it('stores a batch sent twice only once and says which were duplicates', async () => {
    const batch = [1, 2, 3].map((n) => ({ type: 'track', event: `Step ${n}`, messageId: `dup-${n}`, anonymousId: 'anon-dup' }));
    const first = (await (await hark.send('/v1/batch', { batch })).json()) as BatchResponse;
    const second = (await (await hark.send('/v1/batch', { batch })).json()) as BatchResponse;
    expect(first).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(second).toMatchObject({ success: true, accepted: 0, duplicates: 3 });
    const { items } = await timeline('anonymousId=anon-dup');
    expect(items).toHaveLength(3);
  });

  it('counts a messageId repeated inside one batch once', async () => {
    const event = { type: 'track', event: 'Clicked', messageId: 'same', anonymousId: 'anon-same' };
    const body = (await (await hark.send('/v1/batch', { batch: [event, event] })).json()) as BatchResponse;
    expect(body).toMatchObject({ accepted: 1, duplicates: 1 });
  });

  it('corrects the sender clock skew from sentAt', async () => {
    // The device clock runs one hour fast: it says the event happened 10 s before it sent it.
    const deviceNow = hark.clock.now() + 3_600_000;
    await hark.send('/v1/batch', {
      sentAt: new Date(deviceNow).toISOString(),
      batch: [{ type: 'track', event: 'Skewed', messageId: 'skew', anonymousId: 'anon-skew', timestamp: new Date(deviceNow - 10_000).toISOString() }],
    });
    const { items } = await timeline('anonymousId=anon-skew');
    expect(items[0]!.timestamp).toBe(new Date(hark.clock.now() - 10_000).toISOString());
  });

  it('rejects bad events one by one and keeps every good event of the batch', async () => {
    const long = 'x'.repeat(9000);
    const batch = [
      { type: 'track', event: 'Good', messageId: 'ok-1', anonymousId: 'anon-mixed' },
      { type: 'teleport', messageId: 'bad-type', anonymousId: 'anon-mixed' },
      { type: 'track', messageId: 'no-name', anonymousId: 'anon-mixed' },
      { type: 'track', event: 'No ids', messageId: 'no-ids' },
      { type: 'track', event: 'Wrong type', messageId: 'bad-props', anonymousId: 'anon-mixed', properties: 'not an object' },
      { type: 'track', event: 'Long', messageId: 'long-string', anonymousId: 'anon-mixed', properties: { note: long } },
      { type: 'track', event: 'x'.repeat(300), messageId: 'long-name', anonymousId: 'anon-mixed' },
      { type: 'identify', messageId: 'placeholder', userId: 'undefined', anonymousId: 'anon-mixed' },
      { type: 'track', event: 'Bad time', messageId: 'bad-time', anonymousId: 'anon-mixed', timestamp: 'yesterday-ish' },
      'not even an object',
      { type: 'page', messageId: 'ok-2', anonymousId: 'anon-mixed' },
    ];
    const res = await hark.send('/v1/batch', { batch });
    expect(res.status).toBe(200);
    const body = (await res.json()) as BatchResponse;
    expect(body.success).toBe(false);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_event'],
      [2, 'invalid_event'],
      [3, 'missing_id'],
      [4, 'invalid_event'],
      [5, 'invalid_event'],
      [6, 'invalid_event'],
      [7, 'placeholder_id'],
      [8, 'invalid_event'],
      [9, 'invalid_event'],
    ]);
    expect(body.rejected[0]!.message).toMatch(/type: must be one of/);
    expect(body.rejected[1]!.message).toMatch(/event: is required for track/);
    expect(body.rejected[4]!.message).toBe('properties.note is longer than 8192 characters.');
    expect(body.rejected[4]!.messageId).toBe('long-string');
    const { items } = await timeline('anonymousId=anon-mixed');
    expect(items.map((item) => item.messageId).sort()).toEqual(['ok-1', 'ok-2']);
  });

  it('accepts text/plain beacons with the write key in the body', async () => {
    const res = await hark.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://customer.test' },
      body: JSON.stringify({ writeKey: hark.project.writeKey, batch: [{ type: 'page', messageId: 'beacon', anonymousId: 'anon-beacon' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await timeline('anonymousId=anon-beacon')).items).toHaveLength(1);
  });

  it('accepts gzip bodies and refuses a gzip bomb with 413', async () => {
    const small = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'Zipped', messageId: 'gz', anonymousId: 'anon-gz' }] }));
    const ok = await hark.send('/v1/batch', small, { headers: { 'content-encoding': 'gzip' } });
    expect(ok.status).toBe(200);
    expect((await timeline('anonymousId=anon-gz')).items).toHaveLength(1);

    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32)); // 20 MB of spaces, ~20 KB on the wire
    const res = await hark.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Basic ${Buffer.from(`${hark.project.writeKey}:`).toString('base64')}` },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });

  it('answers an unreadable body with 400 and a clear error', async () => {
    for (const body of ['{"batch": [', '', '[]', '{"batch": "nope"}']) {
      const res = await hark.send('/v1/batch', body);
      expect(res.status, body).toBe(400);
      const error = (await res.json()).error;
      expect(['invalid_json', 'invalid_batch']).toContain(error.code);
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses a missing or unknown write key with 401 and stores nothing', async () => {
    const batch = [{ type: 'track', event: 'Sneaky', messageId: 'nokey', anonymousId: 'anon-nokey' }];
    const missing = await hark.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ batch }) });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('missing_write_key');
    const wrong = await hark.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ batch, writeKey: 'hk_w_wrong' }) });
    expect(wrong.status).toBe(401);
    expect((await hark.admin('/api/v1/people/lookup?anonymousId=anon-nokey')).status).toBe(404);
  });

  it('refuses bodies over the size cap and batches over 500 events with 413', async () => {
    const huge = JSON.stringify({ batch: [{ type: 'track', event: 'Big', messageId: 'big', anonymousId: 'a', properties: { blob: 'y'.repeat(600 * 1024) } }] });
    expect((await hark.send('/v1/batch', huge)).status).toBe(413);
    const many = Array.from({ length: 501 }, (_, i) => ({ type: 'track', event: 'E', messageId: `many-${i}`, anonymousId: 'anon-many' }));
    const res = await hark.send('/v1/batch', { batch: many });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('batch_too_large');
  });

  it('rejects one event over 32 KB and keeps its neighbours', async () => {
    const props = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'z'.repeat(5000)]));
    const res = await hark.send('/v1/batch', {
      batch: [
        { type: 'track', event: 'Fat', messageId: 'fat', anonymousId: 'anon-fat', properties: props },
        { type: 'track', event: 'Thin', messageId: 'thin', anonymousId: 'anon-fat' },
      ],
    });
    const body = (await res.json()) as BatchResponse;
    expect(body.rejected).toEqual([{ index: 0, messageId: 'fat', code: 'event_too_large', message: expect.stringMatching(/limit is 32768/) }]);
    expect(body.accepted).toBe(1);
  });
});

describe('single-event routes', () => {
  it('accept /v1/track, /v1/identify and /v1/page like Segment', async () => {
    expect((await hark.send('/v1/page', { messageId: mid(), anonymousId: 'anon-single', name: 'Home' })).status).toBe(200);
    expect((await hark.send('/v1/track', { messageId: mid(), anonymousId: 'anon-single', event: 'Signed Up' })).status).toBe(200);
    expect((await hark.send('/v1/identify', { messageId: mid(), anonymousId: 'anon-single', userId: 'single-user', traits: { plan: 'pro' } })).status).toBe(200);
    const { person, items } = await timeline('userId=single-user');
    expect(person.traits).toEqual({ plan: 'pro' });
    expect(items.map((item) => item.type)).toEqual(['identify', 'track', 'page']);
  });

  it('answer 400 with the reason when the one event is invalid', async () => {
    const res = await hark.send('/v1/track', { messageId: mid(), anonymousId: 'anon-single' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_event', message: 'event: is required for track' } });
  });
});

describe('GET /healthz', () => {
  it('answers 200 once the store is open', async () => {
    const res = await hark.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
