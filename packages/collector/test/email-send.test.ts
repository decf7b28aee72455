import { randomBytes } from 'node:crypto';
import { authenticate } from 'mailauth';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { emailJobHandlers, jobsEmailQueue, createSmtpTransport, INTERRUPTED_REASON, requeueOpenSends, type DnsResolver, type MailTransport } from '../src/email/index.js';
import { deliverSend } from '../src/email/deliver-send.js';
import { createEmailContent } from '../src/email/content-seam.js';
import { emailActionHandler } from '../src/email/email-action.js';
import { createJobRunner, type JobRunner } from '../src/jobs/job-runner.js';
import { adminJson, identify } from './audience-helpers.js';
import { startCollector, storeKinds, type TestCollector } from './harness.js';
import { attachmentsOf, headerOf, startSmtpServer, type TestSmtpServer } from './smtp-helpers.js';

/** DNS as a stub: the records a test "published", and nothing else. */
function stubDns(): DnsResolver & { txt: Map<string, string[][]>; mailauth: (name: string, type: string) => Promise<unknown> } {
  const txt = new Map<string, string[][]>();
  const missing = () => Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
  return {
    txt,
    resolveTxt: async (name) => {
      const found = txt.get(name);
      if (!found) throw missing();
      return found;
    },
    resolveCname: async () => {
      throw missing();
    },
    mailauth: async (name, type) => {
      const found = type === 'TXT' ? txt.get(name) : undefined;
      if (!found) throw missing();
      return found;
    },
  };
}

// On PostgreSQL each test migrates a fresh schema first.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

let smtp: TestSmtpServer;
let hark: TestCollector;
let dns: ReturnType<typeof stubDns>;
let transport: MailTransport;
let runner: JobRunner;
let api: ReturnType<typeof adminJson>;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

describe.each(storeKinds())('email sending on $name', ({ name, url }) => {
  beforeEach(async () => {
    smtp.mails.length = 0;
    smtp.refuse.clear();
    dns = stubDns();
    hark = await startCollector({ postgres: url, app: { email: { smtp: true, resolver: dns } } });
    api = adminJson(hark);
    transport = createSmtpTransport(smtp.url, { pool: false });
    const queue = jobsEmailQueue(hark.store.jobs, hark.clock);
    runner = createJobRunner({ store: hark.store, clock: hark.clock, handlers: emailJobHandlers({ store: hark.store, clock: hark.clock, transport, queue }), logError: () => undefined });
  });
  afterEach(async () => {
    transport.close();
    await hark.close();
  });

  /** Adds acme.test, publishes its records in the stub DNS and verifies it. */
  async function verifiedDomain(domain = 'acme.test'): Promise<{ id: string; selector: string }> {
    const added = await api.post('/api/v1/domains', { domain });
    expect(added.status).toBe(201);
    for (const record of added.body.records as { type: string; name: string; value: string }[]) {
      if (record.type === 'TXT') dns.txt.set(record.name, [[record.value]]);
    }
    const verified = await api.post(`/api/v1/domains/${added.body.id}/verify`, {});
    expect(verified.body.status).toBe('verified');
    return added.body;
  }

  async function sendAndRun(body: Record<string, unknown>): Promise<any> {
    const accepted = await api.post('/api/v1/emails', body);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    await runner.runOnce();
    return (await api.get(`/api/v1/emails/${accepted.body.id}`)).body;
  }

  describe('sending over SMTP', () => {
    it('delivers a DKIM-signed mail with its headers and attachments byte for byte, and records Email Sent', async () => {
      await verifiedDomain();
      const personId = await identify(hark, 'u-ada', { email: 'ada@example.com', name: 'Ada' });
      const pdf = randomBytes(70_000);
      const png = randomBytes(1_234);
      const sent = await sendAndRun({
        to: personId,
        from: 'Acme <hello@acme.test>',
        replyTo: 'support@acme.test',
        subject: 'Your invoice',
        text: 'Hello Ada',
        html: '<p>Hello <b>Ada</b></p>',
        attachments: [
          { name: 'invoice.pdf', type: 'application/pdf', content: pdf.toString('base64') },
          { name: 'logo.png', type: 'image/png', content: png.toString('base64') },
        ],
        rootId: 'run-root-1',
        parentId: 'step-event-1',
      });
      expect(sent).toMatchObject({ status: 'sent', reason: null, to: 'ada@example.com', personId });
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.to).toEqual(['ada@example.com']);
      expect(headerOf(mail.raw, 'Message-ID')).toBe(sent.messageId);
      expect(sent.messageId).toBe(`<${sent.id}@acme.test>`);
      expect(headerOf(mail.raw, 'Subject')).toBe('Your invoice');
      expect(headerOf(mail.raw, 'From')).toBe('Acme <hello@acme.test>');
      expect(headerOf(mail.raw, 'Reply-To')).toBe('support@acme.test');
      expect(headerOf(mail.raw, 'List-Unsubscribe')).toBeNull(); // transactional by default

      const auth = await authenticate(mail.raw, { ip: '127.0.0.1', helo: 'localhost', sender: 'hello@acme.test', mta: 'test.local', resolver: dns.mailauth as never });
      expect(auth.dkim.results[0]?.status.result).toBe('pass');
      expect(auth.dkim.results[0]?.signingDomain).toBe('acme.test');

      const files = attachmentsOf(mail.raw);
      expect(files.map((f) => [f.name, f.type])).toEqual([
        ['invoice.pdf', 'application/pdf'],
        ['logo.png', 'image/png'],
      ]);
      expect(files[0]!.content.equals(pdf)).toBe(true);
      expect(files[1]!.content.equals(png)).toBe(true);

      const activity = (await api.get(`/api/v1/people/${personId}/activity`)).body;
      const event = activity.items.find((item: any) => item.name === 'Email Sent');
      expect(event.properties).toMatchObject({ sendId: sent.id, subject: 'Your invoice', to: 'ada@example.com' });
      expect(event.messageId).toBe(`email-sent-${sent.id}`);
      expect(event).toMatchObject({ parentId: 'step-event-1' });

      // The job ran once; running the handler again (a re-run) sends nothing and writes no second event.
      await deliverSend({ store: hark.store, clock: hark.clock, transport, queue: jobsEmailQueue(hark.store.jobs, hark.clock) }, hark.project.id, sent.id, 2, 8);
      expect(smtp.mails).toHaveLength(1);
      const again = (await api.get(`/api/v1/people/${personId}/activity`)).body;
      expect(again.items.filter((item: any) => item.name === 'Email Sent')).toHaveLength(1);
    });

    it('sends once for the same idempotency key, answering the first send', async () => {
      await verifiedDomain();
      const body = { to: 'grace@example.com', from: 'hello@acme.test', subject: 'Hi', text: 'once', idempotencyKey: 'order-42' };
      const first = await api.post('/api/v1/emails', body);
      const second = await api.post('/api/v1/emails', body);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body.created).toBe(false);
      await runner.runOnce();
      await runner.runOnce();
      expect(smtp.mails).toHaveLength(1);
    });

    it('refuses a From on a domain that is not added or not verified', async () => {
      const none = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'x@nowhere.test', subject: 'Hi', text: 'x' });
      expect(none.status).toBe(422);
      expect(none.body.error.code).toBe('from_domain_unverified');
      const added = await api.post('/api/v1/domains', { domain: 'pending.test' });
      const pending = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'x@pending.test', subject: 'Hi', text: 'x' });
      expect(pending.status).toBe(422);
      expect(pending.body.error.fields).toEqual({ from: 'is on a domain that is not verified' });
      const check = await api.post(`/api/v1/domains/${added.body.id}/verify`, {});
      expect(check.body.status).toBe('pending');
      expect(check.body.checks.map((c: any) => [c.record, c.ok])).toEqual([
        ['dkim', false],
        ['spf', false],
      ]);
    });

    it('stops a send for an address on the suppression list, with the reason on the send', async () => {
      await verifiedDomain();
      expect((await api.post('/api/v1/suppressions', { emails: ['quiet@example.com'] })).status).toBeLessThan(300);
      const send = await sendAndRun({ to: 'quiet@example.com', from: 'hello@acme.test', subject: 'Hi', text: 'x' });
      expect(send.status).toBe('suppressed');
      expect(send.reason).toMatch(/suppression list/);
      expect(smtp.mails).toHaveLength(0);
    });

    // Suppression rules are evaluated on the person's facts (store.segments.facts), which the
    // PostgreSQL store does not have until segments move there (postgres-not-yet.ts): there the job
    // fails with a 501 and retries, so the mail is held, never sent unchecked.
    it('stops a send for a person a suppression rule holds for', async () => {
      await verifiedDomain();
      const personId = await identify(hark, 'u-churned', { email: 'churned@example.com', plan: 'churned' });
      const rule = await api.post('/api/v1/suppression-rules', { name: 'Churned', rules: { type: 'trait', trait: 'plan', op: 'equals', value: 'churned' } });
      expect(rule.status, JSON.stringify(rule.body)).toBe(201);
      const send = await sendAndRun({ to: personId, from: 'hello@acme.test', subject: 'Hi', text: 'x' });
      expect(send.status).toBe('suppressed');
      expect(send.reason).toContain('suppression rule "Churned"');
      expect(smtp.mails).toHaveLength(0);
    });

    it('marks an address the server refuses with a 5xx invalid, and suppresses the next send to it', async () => {
      await verifiedDomain();
      smtp.refuse.add('gone@example.com');
      const first = await sendAndRun({ to: 'gone@example.com', from: 'hello@acme.test', subject: 'Hi', text: 'x' });
      expect(first.status).toBe('failed');
      expect(first.reason).toMatch(/refused the address.*550/);
      const list = (await api.get('/api/v1/suppressions?type=email')).body;
      expect(list.items.map((s: any) => s.value)).toContain('gone@example.com');
      smtp.refuse.clear();
      const second = await sendAndRun({ to: 'gone@example.com', from: 'hello@acme.test', subject: 'Again', text: 'x' });
      expect(second.status).toBe('suppressed');
      expect(second.reason).toMatch(/invalid/);
      expect(smtp.mails).toHaveLength(0);
    });

    it('delays sends over the per-minute cap to the next minute instead of dropping them', async () => {
      await verifiedDomain();
      expect((await api.patch('/api/v1/email-settings', { sendsPerMinute: 1 })).body).toMatchObject({ sendsPerMinute: 1 });
      const a = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'hello@acme.test', subject: 'A', text: 'x' });
      const b = await api.post('/api/v1/emails', { to: 'b@example.com', from: 'hello@acme.test', subject: 'B', text: 'x' });
      await runner.runOnce();
      await runner.runOnce();
      const statuses = async () => [(await api.get(`/api/v1/emails/${a.body.id}`)).body.status, (await api.get(`/api/v1/emails/${b.body.id}`)).body.status].sort();
      expect(await statuses()).toEqual(['queued', 'sent']);
      expect(smtp.mails).toHaveLength(1);
      hark.clock.advance(61_000);
      await runner.runOnce();
      expect(await statuses()).toEqual(['sent', 'sent']);
      expect(smtp.mails).toHaveLength(2);
    });

    it('marks a send found mid-way after a crash as interrupted instead of sending it again', async () => {
      await verifiedDomain();
      const accepted = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'hello@acme.test', subject: 'A', text: 'x' });
      // What a crash leaves: the send marked sending (durable), the SMTP hand-over never confirmed.
      expect(await hark.store.emails.claimForSending(hark.project.id, accepted.body.id, hark.clock.now())).toBe('claimed');
      await runner.runOnce();
      const send = (await api.get(`/api/v1/emails/${accepted.body.id}`)).body;
      expect(send).toMatchObject({ status: 'failed', reason: INTERRUPTED_REASON });
      expect(smtp.mails).toHaveLength(0);
    });
  });

  describe('a send whose job was never enqueued', () => {
    it('gets its job at start and is sent once', async () => {
      await verifiedDomain();
      // What a crash between writing the row and enqueueing its job leaves.
      const { send } = await hark.store.emails.createSend({
        id: 'orphan-1', projectId: hark.project.id, idempotencyKey: null, personId: null, to: 'o@example.com', from: 'hello@acme.test', replyTo: null,
        subject: 'Orphan', text: 'x', html: null, attachments: [], headers: {}, transactional: true, templateId: null, messageId: '<orphan-1@acme.test>',
        rootId: null, parentId: null, links: [], createdAt: hark.clock.now(),
      });
      expect(await runner.runOnce()).toBe(0);
      hark.clock.advance(1);
      expect(await requeueOpenSends({ store: hark.store, clock: hark.clock, queue: jobsEmailQueue(hark.store.jobs, hark.clock) })).toBe(1);
      await requeueOpenSends({ store: hark.store, clock: hark.clock, queue: jobsEmailQueue(hark.store.jobs, hark.clock) });
      expect(await runner.runOnce()).toBe(1);
      expect((await hark.store.emails.getSend(hark.project.id, send.id))!.status).toBe('sent');
      expect(smtp.mails.map((m) => headerOf(m.raw, 'Message-ID'))).toEqual(['<orphan-1@acme.test>']);
    });
  });

  describe('an automation email step', () => {
    it('renders a marketing template with unsubscribe headers, sends once per step, and chains Email Sent to the run', async () => {
      await verifiedDomain();
      const personId = await identify(hark, 'u-kim', { email: 'kim@example.com', name: 'Kim' });
      const template = await api.post('/api/v1/email-templates', { name: 'Nudge', kind: 'marketing', subject: 'Hi {{ person.traits.name }}', text: 'Come back, {{ person.traits.name }}', html: '<p>Come <a href="https://acme.test/back">back</a></p>' });
      expect(template.status, JSON.stringify(template.body)).toBe(201);
      await api.patch('/api/v1/email-settings', { defaultFrom: 'Acme <hello@acme.test>' });
      const action = emailActionHandler({
        store: hark.store,
        clock: hark.clock,
        queue: jobsEmailQueue(hark.store.jobs, hark.clock),
        content: createEmailContent(hark.store, 'https://hark.acme.test'),
        requireVerifiedDomain: true,
        fail: (reason, message) => new Error(`${reason}: ${message}`),
      });
      const context = { projectId: hark.project.id, personId, idempotencyKey: 'run-1:step-2:1', rootId: 'root-event-1' };
      await action.run({ templateId: template.body.id }, context);
      await action.run({ templateId: template.body.id }, context); // a retried step
      await runner.runOnce();
      expect(smtp.mails).toHaveLength(1);
      const raw = smtp.mails[0]!.raw;
      expect(headerOf(raw, 'Subject')).toBe('Hi Kim');
      expect(headerOf(raw, 'List-Unsubscribe')).toMatch(/^<https:\/\/hark\.acme\.test\/e\/u\/[\w.-]+>$/);
      expect(headerOf(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(raw).toContain('https://hark.acme.test/e/c/');
      const activity = (await api.get(`/api/v1/people/${personId}/activity`)).body.items.filter((e: any) => e.name === 'Email Sent');
      expect(activity).toHaveLength(1);
      expect(activity[0].properties.templateId).toBe(template.body.id);
      await expect(action.run({ templateId: 'no-such-template' }, { ...context, idempotencyKey: 'run-1:step-3:1' })).rejects.toThrow(/^template_not_found/);
    });
  });

  describe('domains, sends and settings through the admin API', () => {
    it('adds a domain once, lists, shows and removes it', async () => {
      const added = await api.post('/api/v1/domains', { domain: 'Mail.Acme.test.' });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ domain: 'mail.acme.test', status: 'pending' });
      expect(added.body).not.toHaveProperty('privateKey');
      const again = await api.post('/api/v1/domains', { domain: 'mail.acme.test' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('domain_exists');
      await verifiedDomain('acme.test');
      expect((await api.get('/api/v1/domains')).body.items.map((d: any) => [d.domain, d.status])).toEqual([
        ['acme.test', 'verified'],
        ['mail.acme.test', 'pending'],
      ]);
      expect((await api.get(`/api/v1/domains/${added.body.id}`)).body).toEqual(added.body);
      expect((await api.del(`/api/v1/domains/${added.body.id}`)).status).toBe(204);
      expect((await api.get(`/api/v1/domains/${added.body.id}`)).status).toBe(404);
      expect((await api.del(`/api/v1/domains/${added.body.id}`)).status).toBe(404);
    });

    it('lists sends newest first, for one contact, and keeps the settings given', async () => {
      await verifiedDomain();
      const personId = await identify(hark, 'u-ivy', { email: 'ivy@example.com' });
      const ids: string[] = [];
      for (const to of [personId, 'x@example.com', personId]) {
        ids.push((await api.post('/api/v1/emails', { to, from: 'hello@acme.test', subject: 'Hi', text: 'x' })).body.id);
        hark.clock.advance(1000);
      }
      const first = (await api.get('/api/v1/emails?limit=2')).body;
      expect(first.items.map((s: any) => s.id)).toEqual([ids[2], ids[1]]);
      expect((await api.get(`/api/v1/emails?limit=2&cursor=${first.nextCursor}`)).body.items.map((s: any) => s.id)).toEqual([ids[0]]);
      expect((await api.get(`/api/v1/emails?personId=${personId}`)).body.items.map((s: any) => s.id)).toEqual([ids[2], ids[0]]);
      expect((await api.get('/api/v1/emails/no-such-send')).status).toBe(404);

      expect((await api.get('/api/v1/email-settings')).body).toEqual({ sendsPerMinute: 600, defaultFrom: null });
      expect((await api.patch('/api/v1/email-settings', { defaultFrom: 'Acme <hello@acme.test>' })).body).toEqual({ sendsPerMinute: 600, defaultFrom: 'Acme <hello@acme.test>' });
      expect((await api.patch('/api/v1/email-settings', { sendsPerMinute: 30 })).body).toEqual({ sendsPerMinute: 30, defaultFrom: 'Acme <hello@acme.test>' });
      expect((await api.get('/api/v1/email-settings')).body).toEqual({ sendsPerMinute: 30, defaultFrom: 'Acme <hello@acme.test>' });
    });
  });

  describe('the send request', () => {
    it('answers every problem at once, by field', async () => {
      const tooMany = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, type: 'text/plain', content: 'aGk=' }));
      const res = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'not an address', attachments: [...tooMany.slice(0, 10), { name: 'x.bin', type: 'nonsense', content: '!!!' }, tooMany[10]] });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toMatchObject({
        from: expect.stringMatching(/email address/),
        subject: 'is required without a templateId',
        text: expect.stringMatching(/text, html/),
        attachments: 'must have at most 10 items',
        'attachments.10.content': 'must be base64',
        'attachments.10.type': expect.stringMatching(/MIME type/),
      });
    });

    it('refuses a mail over 10 MB with attachments decoded', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64');
      const res = await api.post('/api/v1/emails', { to: 'a@example.com', from: 'a@acme.test', subject: 'Big', text: 'x', attachments: [{ name: 'big.bin', type: 'application/octet-stream', content: big }] });
      expect(res.status).toBe(400);
      expect(res.body.error.fields.attachments).toMatch(/at most 10485760 \(10 MB\)/);
    });

    it('answers 422 for a person id or user id that names no one', async () => {
      const res = await api.post('/api/v1/emails', { to: 'nobody-here', from: 'a@acme.test', subject: 'Hi', text: 'x' });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('recipient_not_found');
    });
  });
});
