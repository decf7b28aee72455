import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutboxTransport, emailJobHandlers, jobsEmailQueue } from '../src/email/index.js';
import { createJobRunner, type JobRunner } from '../src/jobs/job-runner.js';
import { adminJson, identify } from './audience-helpers.js';
import { startCollector, storeKinds, type TestCollector } from './harness.js';
import { attachmentsOf, headerOf } from './smtp-helpers.js';

// On PostgreSQL each test migrates a fresh schema first.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let hark: TestCollector;
let api: ReturnType<typeof adminJson>;
let runner: JobRunner;

describe.each(storeKinds())('the outbox on $name', ({ url }) => {
  beforeEach(async () => {
    hark = await startCollector({ postgres: url }); // no SMTP: the embedded default
    api = adminJson(hark);
    const transport = createOutboxTransport(hark.store.emails, hark.clock);
    runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers: emailJobHandlers({ store: hark.store, clock: hark.clock, transport, queue: jobsEmailQueue(hark.store.jobs, hark.clock) }), logError: () => undefined });
  });
  afterEach(async () => {
    await hark.close();
  });

  describe('the outbox, without SMTP', () => {
    it('keeps the whole mail (headers, text, HTML, attachments, raw message) instead of sending it', async () => {
      const personId = await identify(hark, 'u-lin', { email: 'lin@example.com' });
      const file = Buffer.from('%PDF-1.4 fake pdf bytes \u0000\u0001\u00ff', 'latin1');
      // Any From works in the outbox: nothing leaves, so no domain has to be verified first.
      const accepted = await api.post('/api/v1/emails', {
        to: 'u-lin',
        from: 'Team <team@example.org>',
        subject: 'Welcome',
        text: 'Welcome, Lin',
        html: '<h1>Welcome</h1>',
        attachments: [{ name: 'guide.pdf', type: 'application/pdf', content: file.toString('base64') }],
      });
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ status: 'queued', personId, to: 'lin@example.com' });
      expect((await api.get('/api/v1/outbox')).body.items).toEqual([]);

      expect(await runner.runOnce()).toBe(1);
      expect((await api.get(`/api/v1/emails/${accepted.body.id}`)).body).toMatchObject({ status: 'sent' });
      const list = (await api.get('/api/v1/outbox?limit=10')).body;
      expect(list.items).toHaveLength(1);
      expect(list.items[0]).toMatchObject({ sendId: accepted.body.id, to: 'lin@example.com', subject: 'Welcome', attachments: [{ name: 'guide.pdf', type: 'application/pdf', size: file.length }] });
      const mail = (await api.get(`/api/v1/outbox/${list.items[0].id}`)).body;
      expect(mail).toMatchObject({ text: 'Welcome, Lin', messageId: accepted.body.messageId });
      // The content side's open pixel, added at accept time with the request's origin.
      expect(mail.html).toMatch(/^<h1>Welcome<\/h1><img src="http:\/\/localhost\/e\/o\/[\w.-]+\.gif"/);
      expect(mail.headers['Message-ID']).toBe(accepted.body.messageId);
      expect(mail.headers.Subject).toBe('Welcome');
      expect(headerOf(mail.raw, 'From')).toBe('Team <team@example.org>');
      expect(attachmentsOf(mail.raw)[0]!.content.equals(file)).toBe(true);
      expect(Buffer.from(mail.attachments[0].content, 'base64').equals(file)).toBe(true);

      // Every send is one Email Sent event, and a second run of the job changes nothing.
      await runner.runOnce();
      const activity = (await api.get(`/api/v1/people/${personId}/activity`)).body.items.filter((e: any) => e.name === 'Email Sent');
      expect(activity).toHaveLength(1);
      expect((await api.get('/api/v1/outbox')).body.items).toHaveLength(1);
    });

    it('pages the outbox newest first', async () => {
      for (const subject of ['One', 'Two', 'Three']) {
        await api.post('/api/v1/emails', { to: 'a@example.com', from: 'a@example.org', subject, text: 'x' });
        await runner.runOnce();
        hark.clock.advance(1000);
      }
      const first = (await api.get('/api/v1/outbox?limit=2')).body;
      expect(first.items.map((m: any) => m.subject)).toEqual(['Three', 'Two']);
      const second = (await api.get(`/api/v1/outbox?limit=2&cursor=${first.nextCursor}`)).body;
      expect(second.items.map((m: any) => m.subject)).toEqual(['One']);
      expect(second.nextCursor).toBeNull();
    });

    it('signs outbox mail with the DKIM key of an added domain', async () => {
      const domain = (await api.post('/api/v1/domains', { domain: 'example.org' })).body;
      expect(domain.records[0]).toMatchObject({ record: 'dkim', type: 'TXT', name: `${domain.selector}._domainkey.example.org` });
      expect(domain.records[0].value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
      expect(domain).not.toHaveProperty('privateKey');
      await api.post('/api/v1/emails', { to: 'a@example.com', from: 'a@example.org', subject: 'Signed', text: 'x' });
      await runner.runOnce();
      const [item] = (await api.get('/api/v1/outbox')).body.items;
      const mail = (await api.get(`/api/v1/outbox/${item.id}`)).body;
      expect(mail.headers['DKIM-Signature']).toMatch(new RegExp(`d=example.org; .*s=${domain.selector}`));
    });
  });
});
