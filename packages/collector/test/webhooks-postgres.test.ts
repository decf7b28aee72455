import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { createJobRunner } from '../src/jobs/job-runner.js';
import { verifyWebhook } from '../src/webhooks/webhook-signature.js';
import { webhookJobHandlers } from '../src/webhooks/webhook-job-handlers.js';
import { manualClock } from './harness.js';
import { openTestPostgresStore, POSTGRES_SKIPPED, TEST_DATABASE_URL, warnPostgresSkipped } from './postgres-helpers.js';
import { startReceiver } from './webhook-receiver.js';

/** Outbound webhooks end to end on the PostgreSQL store: the subscription, the job queued in the ingest transaction, the signed delivery, the log. */
const url = TEST_DATABASE_URL;
if (url) {
  vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
  describe('outbound webhooks on PostgreSQL', () => {
    it('delivers a subscribed event once, signed, retries a 503, and logs both attempts', async () => {
      const clock = manualClock();
      const { store, close } = await openTestPostgresStore(url, clock);
      const statuses = [503];
      const receiver = await startReceiver((_r, index) => statuses[index] ?? 200);
      try {
        const { project } = await store.ensureDefaultProject({});
        const app = createApp({ store, clock, logError: () => undefined, webhooks: { allowPrivate: true } });
        const admin = { authorization: `Bearer ${project.secretKey}`, 'content-type': 'application/json' };
        const created = await app.request('/api/v1/webhooks', { method: 'POST', headers: admin, body: JSON.stringify({ url: receiver.url, events: ['Signed Up'] }) });
        expect(created.status).toBe(201);
        const webhook = (await created.json()) as { id: string; secret: string };
        const basic = `Basic ${Buffer.from(`${project.writeKey}:`).toString('base64')}`;
        for (const event of ['Signed Up', 'Ignored']) {
          const res = await app.request('/v1/track', { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify({ messageId: `pg-${event}`, anonymousId: 'a1', event }) });
          expect(res.status).toBe(200);
        }
        const runner = createJobRunner({ store, clock, handlers: webhookJobHandlers({ store, allowPrivate: true }), backoff: () => 1_000, logError: () => undefined });
        expect(await runner.runOnce()).toBe(1);
        clock.advance(1_000);
        expect(await runner.runOnce()).toBe(1);
        expect(receiver.received).toHaveLength(2);
        expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
        const last = receiver.received[1]!;
        expect(verifyWebhook(webhook.secret, last, last.body, Math.floor(clock.now() / 1000))).toBe(true);
        const log = (await (await app.request(`/api/v1/webhooks/${webhook.id}/deliveries`, { headers: admin })).json()) as { items: Record<string, unknown>[] };
        expect(log.items).toMatchObject([{ id: last.id, type: 'Signed Up', status: 'done', attempts: 2, responseCode: 200 }]);
      } finally {
        await receiver.close();
        await close();
      }
    });
  });
} else {
  warnPostgresSkipped('Outbound webhooks on PostgreSQL');
  describe.skip(`outbound webhooks on PostgreSQL — ${POSTGRES_SKIPPED}`, () => {
    it('delivers a subscribed event once, signed, retries a 503, and logs both attempts', () => undefined);
  });
}
