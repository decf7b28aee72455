import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
import { createOutboxTransport, emailJobHandlers, jobsEmailQueue } from '../src/email/index.js';
import { createJobRunner } from '../src/jobs/job-runner.js';
import { webhookJobHandlers } from '../src/webhooks/webhook-job-handlers.js';
import { adminJson, identify } from './audience-helpers.js';
import { startAutomations, type AutomationHarness } from './automation-helpers.js';
import { startCollector, storeKinds } from './harness.js';
import { startReceiver } from './webhook-receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const delivered = (receiver: Receiver) => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { name: string; personId: string; properties: Record<string, unknown> } });

/**
 * Events Hark writes itself (a run's Automation Entered / Exited, Email Sent) reach the webhooks
 * subscribed to their names as a tracked event does: queued in the transaction that stores them.
 */
describe('webhooks for the events Hark writes', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  describe('a run of an automation', () => {
    let hark: AutomationHarness;
    beforeEach(async () => {
      hark = await startAutomations();
    });
    afterEach(async () => {
      await hark.close();
    });

    it('delivers Automation Entered and Exited, and nothing for a name no webhook wants', async () => {
      const hook = await hark.api.post('/api/v1/webhooks', { url: receiver.url, events: ['Automation Entered', 'Automation Exited'] });
      expect(hook.status).toBe(201);
      const automation = await hark.create({ trigger: { type: 'event', event: 'Signed Up' }, steps: [{ id: 'done', type: 'exit' }] });
      const ada = await identify(hark, 'ada');
      await hark.send('/v1/track', { messageId: 'signup-1', userId: 'ada', event: 'Signed Up' });
      await hark.drain();

      const bodies = delivered(receiver);
      expect(bodies.map((b) => b.type).sort()).toEqual(['Automation Entered', 'Automation Exited']);
      expect(bodies.every((b) => b.data.personId === ada && b.data.properties.automationId === automation.id)).toBe(true);
      // Each once, though the runner ran until nothing was due.
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(2);
    });
  });

  describe.each(storeKinds())('a segment transition, on $name', ({ url }) => {
    let hark: AutomationHarness;
    beforeEach(async () => {
      hark = await startAutomations({ postgres: url });
    });
    afterEach(async () => {
      await hark.close();
    });

    it('delivers Segment Entered and Segment Exited, queued with the membership change', async () => {
      expect((await hark.api.post('/api/v1/webhooks', { url: receiver.url, events: ['Segment Entered', 'Segment Exited'] })).status).toBe(201);
      const segment = await hark.api.post('/api/v1/segments', { name: 'Pro', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } });
      expect(segment.status).toBe(201);
      await hark.store.segments.idle();
      const ada = await identify(hark, 'ada', { plan: 'pro' });
      await identify(hark, 'ada', { plan: 'free' });
      await hark.drain();

      const bodies = delivered(receiver);
      // Two delivery jobs: the runner may take them in either order.
      expect(bodies.map((b) => b.type).sort()).toEqual(['Segment Entered', 'Segment Exited']);
      expect(bodies.every((b) => b.data.personId === ada && b.data.properties.segmentId === segment.body.id)).toBe(true);
    });
  });

  it('delivers Email Sent for a send from the outbox, with the send in its properties', async () => {
    const hark = await startCollector({ app: { webhooks: { allowPrivate: true } } });
    try {
      const api = adminJson(hark);
      const transport = createOutboxTransport(hark.store.emails, hark.clock);
      const handlers = {
        ...emailJobHandlers({ store: hark.store, clock: hark.clock, transport, queue: jobsEmailQueue(hark.store.jobs, hark.clock) }),
        ...webhookJobHandlers({ store: hark.store, allowPrivate: true }),
      };
      const runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers, logError: () => undefined });
      expect((await api.post('/api/v1/webhooks', { url: receiver.url, events: ['Email Sent'] })).status).toBe(201);
      const lin = await identify(hark, 'u-lin', { email: 'lin@example.com' });
      const accepted = await api.post('/api/v1/emails', { to: 'u-lin', from: 'team@example.org', subject: 'Welcome', text: 'Hi' });
      expect(accepted.status).toBe(202);

      expect(await runner.runOnce()).toBe(1); // the send, which queues the delivery with its event
      expect(receiver.received).toHaveLength(0);
      expect(await runner.runOnce()).toBe(1); // the delivery
      const [body] = delivered(receiver);
      expect(body).toMatchObject({ type: 'Email Sent', data: { name: 'Email Sent', personId: lin } });
      expect(JSON.stringify(body!.data.properties)).toContain(accepted.body.id);
    } finally {
      await hark.close();
    }
  });
});
