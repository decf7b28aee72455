import type { BatchResponse } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';

/**
 * What Segment's browser library, analytics-next 1.84.3, sends and asks for, as read from its
 * source (plugins/segmentio, browser/index.ts): one event per request to its type's initial, or
 * batches to /v1/b; `text/plain` bodies carrying the write key (and HTTP Basic as well), its own
 * `sentAt`, `_metadata` and `integrations`; settings first from `<cdnURL>/v1/projects/<key>/settings`.
 * tests/browser/segment-browser.test.ts runs the library itself in Chromium.
 */

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

const origin = 'https://shop.customer.example';
const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const iso = (ms: number) => new Date(ms).toISOString();

/** One event as analytics-next's Segment.io plugin posts it (facade JSON, then normalize()). */
function analyticsNextEvent(type: string, fields: Record<string, unknown>, sentAt: number) {
  return {
    timestamp: iso(sentAt - 2_000),
    integrations: {},
    type,
    properties: {},
    context: {
      page: { path: '/pricing', referrer: '', search: '', title: 'Pricing', url: 'https://shop.customer.example/pricing?utm_source=ads' },
      userAgent,
      userAgentData: { brands: [{ brand: 'Chromium', version: '140' }], mobile: false, platform: 'Linux' },
      locale: 'en-GB',
      library: { name: 'analytics.js', version: 'next-1.84.3' },
      timezone: 'Europe/London',
    },
    messageId: `ajs-next-${type}-${Math.random().toString(36).slice(2)}`,
    anonymousId: 'ajs-anon-1',
    userId: null,
    writeKey: hark.project.writeKey,
    sentAt: iso(sentAt),
    _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
    ...fields,
  };
}

/** A request as the library's fetch makes it: text/plain, Basic auth, from the customer's page. */
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  hark.app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain',
      authorization: `Basic ${Buffer.from(`${hark.project.writeKey}:`).toString('base64')}`,
      origin,
      'user-agent': userAgent,
      ...headers,
    },
    body: JSON.stringify(body),
  });

async function timeline(query: string) {
  const person = await (await hark.admin(`/api/v1/people/lookup?${query}`)).json();
  const activity = await (await hark.admin(`/api/v1/people/${person.id}/activity?limit=200`)).json();
  return { person, items: activity.items as { messageId: string; type: string; name: string | null; timestamp: string; [k: string]: unknown }[] };
}

describe('the short paths analytics-next posts to', () => {
  it('take each event type at its initial, as the long routes do, and read back merged on identify', async () => {
    const now = hark.clock.now();
    const sends = [
      ['/v1/p', analyticsNextEvent('page', { name: 'Pricing', properties: { path: '/pricing', title: 'Pricing', url: 'https://shop.customer.example/pricing' } }, now)],
      ['/v1/t', analyticsNextEvent('track', { event: 'Plan Viewed', properties: { plan: 'pro' } }, now)],
      ['/v1/i', analyticsNextEvent('identify', { userId: 'ajs-user', traits: { email: 'ajs@example.com', name: 'Ada' } }, now)],
      ['/v1/g', analyticsNextEvent('group', { userId: 'ajs-user', groupId: 'ajs-co', traits: { name: 'Ajs Co' } }, now)],
      ['/v1/s', analyticsNextEvent('screen', { userId: 'ajs-user', name: 'Home' }, now)],
      ['/v1/a', analyticsNextEvent('alias', { userId: 'ajs-user', previousId: 'ajs-old-anon' }, now)],
    ] as const;
    for (const [path, event] of sends) {
      const res = await post(path, event);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [], warnings: [] });
    }

    const { person, items } = await timeline('userId=ajs-user');
    expect(person).toMatchObject({ kind: 'user', email: 'ajs@example.com', name: 'Ada', companies: [{ id: 'ajs-co', name: 'Ajs Co' }] });
    expect(person.identities.map((i: { type: string; value: string }) => `${i.type}:${i.value}`).sort()).toEqual([
      'anonymous:ajs-anon-1',
      'anonymous:ajs-old-anon',
      'email:ajs@example.com',
      'user:ajs-user',
    ]);
    expect(items.map((item) => `${item.type}:${item.name ?? ''}`).sort()).toEqual(['alias:', 'group:', 'identify:', 'page:Pricing', 'screen:Home', 'track:Plan Viewed']);
    // Its sentAt corrects the clock as ours does; its own fields are dropped, not stored as properties.
    const track = items.find((item) => item.type === 'track')!;
    expect(track.timestamp).toBe(iso(now - 2_000));
    expect(track.properties).toEqual({ plan: 'pro' });
    expect(JSON.stringify(items)).not.toMatch(/_metadata|bundledIds|writeKey/);
    expect(track).toMatchObject({ locale: 'en-GB', timezone: 'Europe/London', device: { browser: 'Chrome', type: 'desktop' } });
  });

  it('takes a batch at /v1/b with the write key in the body only, and one sentAt for the batch', async () => {
    const now = hark.clock.now();
    // batched-dispatcher.ts removes each event's sentAt and sends one for the batch.
    const strip = ({ sentAt: _drop, ...event }: Record<string, unknown>) => event;
    const batch = [
      strip(analyticsNextEvent('page', { messageId: 'b-page', properties: { url: 'https://shop.customer.example/' } }, now)),
      strip(analyticsNextEvent('track', { messageId: 'b-track', event: 'Added To Cart' }, now)),
      strip(analyticsNextEvent('identify', { messageId: 'b-identify', userId: 'batch-user' }, now)),
    ];
    hark.clock.advance(60_000);
    const res = await post('/v1/b', { writeKey: hark.project.writeKey, batch, sentAt: iso(now) }, { authorization: '' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, accepted: 3 });

    const { items } = await timeline('userId=batch-user');
    expect(items.map((item) => item.messageId).sort()).toEqual(['b-identify', 'b-page', 'b-track']);
    // Sent a minute late by the page's clock: timestamp + (receivedAt − sentAt).
    expect(items.find((item) => item.messageId === 'b-track')!.timestamp).toBe(iso(now + 60_000 - 2_000));
  });

  it('keeps the same auth, caps, validation and answers as the long routes', async () => {
    const now = hark.clock.now();
    const noKey = await post('/v1/t', { ...analyticsNextEvent('track', { event: 'X' }, now), writeKey: undefined }, { authorization: '' });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe('missing_write_key');
    expect(noKey.headers.get('access-control-allow-origin')).toBe('*');
    const badKey = await post('/v1/b', { writeKey: 'wk_nope', batch: [] }, { authorization: '' });
    expect(badKey.status).toBe(401);

    const noEvent = await post('/v1/t', analyticsNextEvent('track', {}, now));
    expect(noEvent.status).toBe(400);
    expect((await noEvent.json()).error).toMatchObject({ code: 'invalid_event', message: expect.stringContaining('event') });
    const notJson = await post('/v1/i', 'not json'.repeat(3));
    expect(notJson.status).toBe(400);

    const huge = await post('/v1/p', analyticsNextEvent('page', { properties: { blob: 'x'.repeat(70_000) } }, now));
    expect(huge.status).toBe(413);
    const tooMany = await post('/v1/b', { writeKey: hark.project.writeKey, batch: Array.from({ length: 501 }, () => ({})) }, { authorization: '' });
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).error.code).toBe('batch_too_large');

    // The same event twice, by either path, is stored once.
    const event = analyticsNextEvent('track', { messageId: 'once', event: 'Once' }, now);
    expect(await (await post('/v1/t', event)).json()).toMatchObject({ accepted: 1 });
    expect(await (await post('/v1/track', event)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('answers the pre-flight its fetch makes: Authorization always, X-Retry-Count on a resend', async () => {
    const res = await hark.app.request('/v1/t', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-retry-count' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase().split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'x-retry-count', 'content-type']));
    const resend = await post('/v1/t', analyticsNextEvent('track', { event: 'Resent' }, hark.clock.now()), { 'x-retry-count': '1' });
    expect(resend.status).toBe(200);
  });

  it('lets the page read a 429 and its Retry-After, which analytics-next (and the App) wait out', async () => {
    await hark.close();
    hark = await startCollector({ app: { rateLimits: { perClient: { perSecond: 1, burst: 1 }, perWriteKey: { perSecond: 1, burst: 1 } } } });
    const env = { incoming: { socket: { remoteAddress: '203.0.113.9' } } };
    const send = () =>
      hark.app.request(
        '/v1/t',
        { method: 'POST', headers: { 'content-type': 'text/plain', origin }, body: JSON.stringify(analyticsNextEvent('track', { event: 'Busy' }, hark.clock.now())) },
        env,
      );
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(limited.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
  });
});

describe('GET /v1/projects/:writeKey/settings, the document analytics-next loads from cdnURL', () => {
  const settings = (writeKey: string, init: { headers?: Record<string, string> } = {}, base = 'http://hark.example.com') =>
    hark.app.request(`${base}/v1/projects/${encodeURIComponent(writeKey)}/settings`, { headers: { origin, ...init.headers } });

  it('points the Segment.io integration at this collector, and names nothing else to load', async () => {
    const res = await settings(hark.project.writeKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await res.json();
    expect(body).toEqual({
      integrations: {
        'Segment.io': {
          apiKey: hark.project.writeKey,
          apiHost: 'hark.example.com/v1',
          protocol: 'http',
          addBundledMetadata: true,
          unbundledIntegrations: [],
          maybeBundledConfigIds: {},
        },
      },
      remotePlugins: [],
      enabledMiddleware: {},
      middlewareSettings: {},
      legacyVideoPluginsEnabled: false,
      metrics: { sampleRate: 0 },
    });
    const https = await (await settings(hark.project.writeKey, {}, 'https://collect.acme.test:8443')).json();
    expect(https.integrations['Segment.io']).toMatchObject({ apiHost: 'collect.acme.test:8443/v1', protocol: 'https' });
  });

  it('names the public address behind a trusted proxy (HARK_TRUST_PROXY), and ignores forwarded headers otherwise', async () => {
    const forwarded = { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hark.acme.test, internal:8787' } };
    const untrusted = await (await settings(hark.project.writeKey, forwarded, 'http://10.0.0.5:8787')).json();
    expect(untrusted.integrations['Segment.io']).toMatchObject({ apiHost: '10.0.0.5:8787/v1', protocol: 'http' });

    await hark.close();
    hark = await startCollector({ app: { trustProxy: true } });
    // One proxy: the entry it appended (the right-most) names the host; what the client put left
    // of it does not, or any client could point a publicly cached document at another host.
    const spoofed = { headers: { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.test, hark.acme.test' } };
    const trusted = await (await settings(hark.project.writeKey, spoofed, 'http://10.0.0.5:8787')).json();
    expect(trusted.integrations['Segment.io']).toMatchObject({ apiHost: 'hark.acme.test/v1', protocol: 'https' });
    await hark.close();
    // Two proxies: the outer one wrote the public host, the inner one its own address.
    hark = await startCollector({ app: { trustProxy: 2 } });
    const twoHops = await (await settings(hark.project.writeKey, forwarded, 'http://10.0.0.5:8787')).json();
    expect(twoHops.integrations['Segment.io']).toMatchObject({ apiHost: 'hark.acme.test/v1', protocol: 'https' });
    // A forwarded value that is not a host stays out of the document.
    const odd = await (await settings(hark.project.writeKey, { headers: { 'x-forwarded-host': 'evil.test/"><script>', 'x-forwarded-proto': 'gopher' } }, 'http://10.0.0.5:8787')).json();
    expect(odd.integrations['Segment.io']).toMatchObject({ apiHost: '10.0.0.5:8787/v1', protocol: 'http' });
  });

  it('answers 404 for a key it does not know, the secret key included, so no other project shows through', async () => {
    for (const key of ['wk_unknown', hark.project.secretKey, '']) {
      const res = await settings(key);
      expect(res.status, key).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.text()).not.toContain(hark.project.writeKey);
    }
  });

  it("refuses a page outside the project's allowed origins, as the other public endpoints do", async () => {
    const patch = await hark.admin('/api/v1/project', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ allowedOrigins: [origin] }) });
    expect(patch.status).toBe(200);
    expect((await settings(hark.project.writeKey)).status).toBe(200);
    const other = await settings(hark.project.writeKey, { headers: { origin: 'https://elsewhere.test' } });
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe('origin_not_allowed');
  });

  it('gives an apiHost and apiKey that the ingest routes accept', async () => {
    const doc = await (await settings(hark.project.writeKey)).json();
    const { apiHost, apiKey } = doc.integrations['Segment.io'];
    const res: BatchResponse = await (
      await post(`http://${apiHost}/b`, { writeKey: apiKey, batch: [analyticsNextEvent('track', { event: 'Via Settings' }, hark.clock.now())] }, { authorization: '' })
    ).json();
    expect(res).toMatchObject({ success: true, accepted: 1 });
  });
});
