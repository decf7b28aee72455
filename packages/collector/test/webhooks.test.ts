import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobRunner, type JobRunner } from '../src/jobs/job-runner.js';
import { verifyWebhook } from '../src/webhooks/webhook-signature.js';
import { webhookJobHandlers } from '../src/webhooks/webhook-job-handlers.js';
import { isPrivateAddress, type ResolveHost } from '../src/webhooks/webhook-target.js';
import { mid, startCollector, type TestCollector } from './harness.js';
import { startReceiver } from './webhook-receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const patch = (body: unknown): RequestInit => ({ ...json(body), method: 'PATCH' });

describe('outbound webhooks', () => {
  let hark: TestCollector;
  let receiver: Receiver;
  let runner: JobRunner;
  let statuses: number[];

  beforeEach(async () => {
    statuses = [];
    receiver = await startReceiver((_request, index) => statuses[index] ?? 200);
    hark = await startCollector({ app: { webhooks: { allowPrivate: true } } });
    runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers: webhookJobHandlers({ store: hark.store, allowPrivate: true }), backoff: (attempt) => attempt * 1_000, logError: () => undefined });
  });
  afterEach(async () => {
    await runner.stop();
    await hark.close();
    await receiver.close();
  });

  const create = async (events: string[], url = receiver.url) => {
    const res = await hark.admin('/api/v1/webhooks', json({ url, events }));
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string; url: string; events: string[]; enabled: boolean };
  };
  const track = (event: string, messageId = mid('wh')) => hark.send('/v1/track', { messageId, anonymousId: 'a1', event, properties: { plan: 'pro' } });
  const deliveries = async (id: string, query = '') => (await (await hark.admin(`/api/v1/webhooks/${id}/deliveries${query}`)).json()) as { items: Record<string, unknown>[]; nextCursor: string | null };

  it('shows the signing secret once, at creation, and a new one on rotation', async () => {
    const webhook = await create(['Signed Up']);
    expect(webhook).toMatchObject({ url: receiver.url, events: ['Signed Up'], enabled: true });
    expect(webhook.secret).toMatch(/^whsec_/);
    const listed = (await (await hark.admin('/api/v1/webhooks')).json()) as { items: Record<string, unknown>[] };
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).not.toHaveProperty('secret');
    expect(await (await hark.admin(`/api/v1/webhooks/${webhook.id}`)).json()).not.toHaveProperty('secret');
    const rotated = (await (await hark.admin(`/api/v1/webhooks/${webhook.id}/secret/rotate`, { method: 'POST' })).json()) as { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(webhook.secret);
  });

  it('refuses a bad URL or a blank event name, every problem at once', async () => {
    const res = await hark.admin('/api/v1/webhooks', json({ url: 'ftp://example.com/x', events: [' '], extra: 1 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } } & { code?: string; fields?: Record<string, string> };
    const fields = body.fields ?? body.error?.fields;
    expect(Object.keys(fields!).sort()).toEqual(['events.0', 'extra']);
    const second = (await (await hark.admin('/api/v1/webhooks', json({ url: 'ftp://example.com/x', events: ['a'] }))).json()) as Record<string, unknown>;
    expect(JSON.stringify(second)).toContain('must use http or https');
    expect((await hark.admin('/api/v1/webhooks/wh_nope', patch({ enabled: false }))).status).toBe(404);
  });

  it('takes a webhook with no event names, which only automations call: ingest queues nothing for it', async () => {
    const webhook = await create([]);
    expect(webhook.events).toEqual([]);
    expect((await track('Signed Up', 'evt-none')).status).toBe(200);
    const log = (await (await hark.admin(`/api/v1/webhooks/${webhook.id}/deliveries`)).json()) as { items: unknown[] };
    expect(log.items).toEqual([]);
  });

  it('delivers a subscribed event once, signed so the receiver can verify it', async () => {
    const webhook = await create(['Signed Up']);
    expect((await track('Signed Up', 'evt-1')).status).toBe(200);
    await track('Something Else');
    expect(await runner.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(verifyWebhook(webhook.secret, got!, got!.body, Math.floor(hark.clock.now() / 1000))).toBe(true);
    expect(verifyWebhook('whsec_wrong', got!, got!.body, Math.floor(hark.clock.now() / 1000))).toBe(false);
    // Five minutes later the same request is a replay, and refused.
    expect(verifyWebhook(webhook.secret, got!, got!.body, Math.floor(hark.clock.now() / 1000) + 301)).toBe(false);
    const envelope = JSON.parse(got!.body) as { id: string; type: string; data: Record<string, unknown> };
    expect(envelope).toMatchObject({ id: got!.id, type: 'Signed Up', data: { messageId: 'evt-1', type: 'track', name: 'Signed Up', anonymousId: 'a1', properties: { plan: 'pro' } } });
    // The same event sent again (a retry of the App) is stored once and delivered once.
    await track('Signed Up', 'evt-1');
    expect(await runner.runOnce()).toBe(0);
    const log = await deliveries(webhook.id);
    expect(log.items).toMatchObject([{ id: got!.id, type: 'Signed Up', status: 'done', attempts: 1, responseCode: 200, error: null }]);
  });

  it("sends every event to a '*' subscription, identify and page included", async () => {
    await create(['*']);
    await track('One');
    await hark.send('/v1/identify', { messageId: mid(), anonymousId: 'a1', userId: 'u1' });
    await hark.send('/v1/page', { messageId: mid(), anonymousId: 'a1', name: 'Home' });
    expect(await runner.runOnce()).toBe(3);
    expect(receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type).sort()).toEqual(['One', 'identify', 'page']);
  });

  it('retries after a 500 once the backoff has passed, with the same delivery id', async () => {
    statuses = [500];
    const webhook = await create(['Signed Up']);
    await track('Signed Up');
    await runner.runOnce();
    expect((await deliveries(webhook.id)).items).toMatchObject([{ status: 'pending', attempts: 1, responseCode: 500, error: 'HTTP 500: status 500' }]);
    hark.clock.advance(999);
    expect(await runner.runOnce()).toBe(0);
    hark.clock.advance(1);
    expect(await runner.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);
    expect((await deliveries(webhook.id)).items).toMatchObject([{ status: 'done', attempts: 2, responseCode: 200, nextAttemptAt: null }]);
  });

  it('fails for good on a 410, without retrying', async () => {
    statuses = [410];
    const webhook = await create(['Signed Up']);
    await track('Signed Up');
    await runner.runOnce();
    hark.clock.advance(3_600_000);
    expect(await runner.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect((await deliveries(webhook.id)).items).toMatchObject([{ status: 'failed', attempts: 1, responseCode: 410, error: 'HTTP 410: status 410' }]);
  });

  it('retries a 429 and a 408, which mean later, not never', async () => {
    statuses = [429, 408];
    const webhook = await create(['Signed Up']);
    await track('Signed Up');
    await runner.runOnce();
    hark.clock.advance(1_000);
    await runner.runOnce();
    hark.clock.advance(2_000);
    await runner.runOnce();
    expect((await deliveries(webhook.id)).items).toMatchObject([{ status: 'done', attempts: 3 }]);
  });

  it('queues nothing for a project without webhooks, or for a disabled or deleted one', async () => {
    await track('Signed Up');
    expect(await runner.runOnce()).toBe(0);
    const webhook = await create(['Signed Up']);
    // The cached subscription set was dropped when the webhook was made.
    await track('Signed Up');
    expect(await runner.runOnce()).toBe(1);
    expect((await hark.admin(`/api/v1/webhooks/${webhook.id}`, patch({ enabled: false }))).status).toBe(200);
    await track('Signed Up');
    expect(await runner.runOnce()).toBe(0);
    expect((await hark.admin(`/api/v1/webhooks/${webhook.id}`, patch({ enabled: true, events: ['Other'] }))).status).toBe(200);
    await track('Signed Up');
    expect(await runner.runOnce()).toBe(0);
    await track('Other');
    expect((await hark.admin(`/api/v1/webhooks/${webhook.id}`, { method: 'DELETE' })).status).toBe(204);
    // Queued before the delete, cancelled by it.
    expect(await runner.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect((await hark.admin(`/api/v1/webhooks/${webhook.id}`)).status).toBe(404);
  });

  it('sends a test event on request, and pages the delivery log', async () => {
    const webhook = await create(['Nothing Here']);
    for (let i = 0; i < 3; i++) {
      const res = await hark.admin(`/api/v1/webhooks/${webhook.id}/test`, { method: 'POST' });
      expect(res.status).toBe(202);
      hark.clock.advance(1);
    }
    expect(await runner.runOnce()).toBe(3);
    expect(receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['webhook.test', 'webhook.test', 'webhook.test']);
    const first = await deliveries(webhook.id, '?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await deliveries(webhook.id, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((d) => d.id)).size).toBe(3);
    expect((await deliveries(webhook.id, '?status=failed')).items).toEqual([]);
    expect((await hark.admin(`/api/v1/webhooks/${webhook.id}/deliveries?status=nope`)).status).toBe(400);
  });
});

describe('a webhook receiver that does not answer', () => {
  it('is cut off at the timeout and retried, the error in the log', async () => {
    const receiver = await startReceiver(() => new Promise<number>(() => undefined));
    const hark = await startCollector({ app: { webhooks: { allowPrivate: true } } });
    try {
      const created = (await (await hark.admin('/api/v1/webhooks', json({ url: receiver.url, events: ['*'] }))).json()) as { id: string };
      await hark.send('/v1/track', { messageId: mid(), anonymousId: 'a', event: 'Slow' });
      const runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers: webhookJobHandlers({ store: hark.store, allowPrivate: true, timeoutMs: 200 }), logError: () => undefined });
      expect(await runner.runOnce()).toBe(1);
      const log = (await (await hark.admin(`/api/v1/webhooks/${created.id}/deliveries`)).json()) as { items: Record<string, unknown>[] };
      expect(log.items).toMatchObject([{ status: 'pending', attempts: 1, responseCode: null, error: 'No answer within 0.2 s.' }]);
    } finally {
      await hark.close();
      await receiver.close();
    }
  });
});

describe('webhook targets', () => {
  it('knows private, loopback and link-local addresses, in IPv4 and IPv6 forms', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPrivateAddress(address), address).toBe(false);
  });

  it('refuses a private or loopback target at save, unless the setting allows it', async () => {
    const hark = await startCollector();
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data']) {
        const res = await hark.admin('/api/v1/webhooks', json({ url, events: ['*'] }));
        expect(res.status, url).toBe(400);
        expect(JSON.stringify(await res.json())).toMatch(/private, loopback or link-local/);
      }
    } finally {
      await hark.close();
    }
  });

  it('checks the address again at delivery, so a host that re-resolves to a private address (DNS rebinding) is refused', async () => {
    let answer = '93.184.216.34';
    const resolve: ResolveHost = async () => [{ address: answer, family: 4 }];
    const hark = await startCollector({ app: { webhooks: { resolve } } });
    try {
      const created = await hark.admin('/api/v1/webhooks', json({ url: 'http://hooks.example.test/in', events: ['Signed Up'] }));
      expect(created.status).toBe(201);
      const webhook = (await created.json()) as { id: string };
      answer = '127.0.0.1';
      await hark.send('/v1/track', { messageId: mid(), anonymousId: 'a', event: 'Signed Up' });
      const runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers: webhookJobHandlers({ store: hark.store, allowPrivate: false, resolve }), logError: () => undefined });
      expect(await runner.runOnce()).toBe(1);
      const log = (await (await hark.admin(`/api/v1/webhooks/${webhook.id}/deliveries`)).json()) as { items: { status: string; error: string; responseCode: number | null }[] };
      expect(log.items).toHaveLength(1);
      expect(log.items[0]).toMatchObject({ status: 'failed', responseCode: null });
      expect(log.items[0]!.error).toMatch(/resolves to 127\.0\.0\.1, a private/);
    } finally {
      await hark.close();
    }
  });
});
