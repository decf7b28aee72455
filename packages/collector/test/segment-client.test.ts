import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';

let hark: TestCollector;
let server: ServerType;
let host: string;

beforeAll(async () => {
  hark = await startCollector();
  server = serve({ fetch: hark.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await hark.close();
});

describe('an unmodified Segment server library', () => {
  it('sends identify, track, page and group to the collector and they read back through the admin API', async () => {
    const analytics = new Analytics({ writeKey: hark.project.writeKey, host, flushAt: 3, maxRetries: 1 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));

    analytics.track({ anonymousId: 'seg-anon', event: 'Viewed Pricing', properties: { plan: 'pro' } });
    analytics.page({ anonymousId: 'seg-anon', name: 'Pricing', properties: { url: 'https://acme.test/pricing' } });
    analytics.identify({ anonymousId: 'seg-anon', userId: 'seg-user', traits: { email: 'seg@example.com', name: 'Sam' } });
    analytics.group({ userId: 'seg-user', groupId: 'seg-co', traits: { name: 'Segmented Inc' } });
    analytics.track({ userId: 'seg-user', event: 'Upgraded' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const person = await (await hark.admin('/api/v1/people/lookup?userId=seg-user')).json();
    expect(person).toMatchObject({ kind: 'user', email: 'seg@example.com', name: 'Sam', companies: [{ id: 'seg-co', name: 'Segmented Inc' }] });
    const activity = await (await hark.admin(`/api/v1/people/${person.id}/activity`)).json();
    expect(activity.items.map((item: { type: string; name: string | null }) => `${item.type}:${item.name ?? ''}`).sort()).toEqual(
      ['group:', 'identify:', 'page:Pricing', 'track:Upgraded', 'track:Viewed Pricing'],
    );
    expect(activity.items[0].device.type).toBe('unknown');
  });
});
