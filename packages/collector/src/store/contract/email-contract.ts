import { describe, expect, it } from 'vitest';
import type { NewEmailSend } from '../email-store.js';
import type { Store } from '../store.js';
import type { Project } from '../types.js';

const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const MINUTE = 60_000;

let sequence = 0;
/** A send as the sending path stores it (email/send-email.ts), with what a test changes. */
function newSend(projectId: string, fields: Partial<NewEmailSend> = {}): NewEmailSend {
  const id = fields.id ?? `send-${++sequence}`;
  return {
    id,
    projectId,
    idempotencyKey: null,
    personId: null,
    to: 'ada@example.com',
    from: 'Acme <hello@acme.test>',
    replyTo: null,
    subject: 'Hello',
    text: 'Hi Ada',
    html: '<p>Hi <b>Ada</b></p>',
    attachments: [{ name: 'a.txt', type: 'text/plain', content: 'aGk=' }],
    headers: { 'List-Unsubscribe': '<https://hark.test/e/u/x>' },
    transactional: false,
    templateId: null,
    messageId: `<${id}@acme.test>`,
    rootId: null,
    parentId: null,
    links: ['https://acme.test/a', 'https://acme.test/b?x=1'],
    createdAt: T0,
    ...fields,
  };
}

/**
 * Email rows (issue 13) on every store: idempotent sends, the claim that lets exactly one worker
 * send (and, with the per-minute cap, no more than the cap) however many claim at once, the
 * outbox, sending domains, invalid addresses, settings and the tracking lookup. The concurrent
 * cases are real on PostgreSQL: each claim of a Promise.all runs on its own pooled connection.
 */
export function defineEmailContract(current: () => { store: Store; project: Project }): void {
  describe('email sends', () => {
    it('keeps a send as given, and answers the first send for a repeated idempotency key, even when the repeats race', async () => {
      const { store, project } = current();
      const first = newSend(project.id, { idempotencyKey: 'order-42', personId: 'p-1', rootId: 'root-1', parentId: 'parent-1', templateId: 't-1' });
      const made = await store.emails.createSend(first);
      expect(made.created).toBe(true);
      const { createdAt, ...given } = first;
      expect(made.send).toEqual({ ...given, status: 'queued', reason: null, createdAt, updatedAt: createdAt, sendingAt: null, sentAt: null });
      expect(await store.emails.getSend(project.id, first.id)).toEqual(made.send);
      expect(await store.emails.sendByIdempotencyKey(project.id, 'order-42')).toEqual(made.send);

      const repeats = await Promise.all(Array.from({ length: 5 }, () => store.emails.createSend(newSend(project.id, { idempotencyKey: 'order-42', subject: 'Another' }))));
      expect(repeats.map((r) => [r.created, r.send.id, r.send.subject])).toEqual(Array.from({ length: 5 }, () => [false, first.id, 'Hello']));
      // The same id again (a retried request) is that send, not a second one.
      expect(await store.emails.createSend(newSend(project.id, { id: first.id, idempotencyKey: null }))).toMatchObject({ created: false, send: { id: first.id } });

      const racing = await Promise.all(Array.from({ length: 6 }, () => store.emails.createSend(newSend(project.id, { idempotencyKey: 'signup-7' }))));
      expect(racing.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(racing.map((r) => r.send.id)).size).toBe(1);

      expect(await store.emails.getSend('another-project', first.id)).toBeNull();
      expect(await store.emails.sendByIdempotencyKey(project.id, 'no-such-key')).toBeNull();
      expect(await store.emails.sendByIdempotencyKey('another-project', 'order-42')).toBeNull();
    });

    it('lists sends newest first, by page and by person', async () => {
      const { store, project } = current();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.emails.createSend(newSend(project.id, { createdAt: T0 + i * 1000, personId: i % 2 === 0 ? 'p-even' : 'p-odd' }))).send.id);
      const first = await store.emails.listSends(project.id, { limit: 2, cursor: null });
      expect(first.items.map((s) => s.id)).toEqual([ids[4], ids[3]]);
      const second = await store.emails.listSends(project.id, { limit: 2, cursor: first.nextCursor });
      const third = await store.emails.listSends(project.id, { limit: 2, cursor: second.nextCursor });
      expect([...second.items, ...third.items].map((s) => s.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect(third.nextCursor).toBeNull();
      expect((await store.emails.listSends(project.id, { limit: 10, cursor: null, personId: 'p-even' })).items.map((s) => s.id)).toEqual([ids[4], ids[2], ids[0]]);
      expect((await store.emails.listSends('another-project', { limit: 10, cursor: null })).items).toEqual([]);
    });

    it('lets exactly one of many concurrent claims take a send', async () => {
      const { store, project } = current();
      const { send } = await store.emails.createSend(newSend(project.id));
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.emails.claimForSending(project.id, send.id, T0 + 5)));
      expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c === 'taken')).toHaveLength(7);
      expect(await store.emails.getSend(project.id, send.id)).toMatchObject({ status: 'sending', sendingAt: T0 + 5, updatedAt: T0 + 5 });

      const capped = (await store.emails.createSend(newSend(project.id))).send;
      const cappedClaims = await Promise.all(Array.from({ length: 8 }, () => store.emails.claimForSending(project.id, capped.id, T0 + 6, { since: T0 + 6 - MINUTE, limit: 100 })));
      expect(cappedClaims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(cappedClaims.filter((c) => c === 'taken')).toHaveLength(7);
      expect(await store.emails.claimForSending(project.id, 'no-such-send', T0 + 7)).toBe('taken');
    });

    it('never lets concurrent claims of different sends start more than the per-minute cap', async () => {
      const { store, project } = current();
      const sends = await Promise.all(Array.from({ length: 8 }, () => store.emails.createSend(newSend(project.id))));
      // One started earlier in the window: the cap of 3 leaves two slots.
      const early = (await store.emails.createSend(newSend(project.id))).send;
      expect(await store.emails.claimForSending(project.id, early.id, T0 + 10, { since: T0 + 10 - MINUTE, limit: 3 })).toBe('claimed');
      const now = T0 + 20_000;
      const cap = { since: now - MINUTE, limit: 3 };
      const claims = await Promise.all(sends.map(({ send }) => store.emails.claimForSending(project.id, send.id, now, cap)));
      expect(claims.filter((c) => c === 'claimed')).toHaveLength(2);
      expect(claims.filter((c) => c === 'capped')).toHaveLength(6);
      expect(await store.emails.countStartedSince(project.id, cap.since)).toEqual({ count: 3, oldest: T0 + 10 });
      // Another project has its own cap.
      const other = (await store.emails.createSend(newSend('another-project'))).send;
      expect(await store.emails.claimForSending('another-project', other.id, now, cap)).toBe('claimed');
      // Once the early one is more than a minute old, its slot is free again.
      const later = T0 + 11 + MINUTE;
      const waiting = sends.find((_, i) => claims[i] === 'capped')!.send;
      expect(await store.emails.claimForSending(project.id, waiting.id, later, { since: later - MINUTE, limit: 3 })).toBe('claimed');
      expect(await store.emails.countStartedSince(project.id, later - MINUTE)).toEqual({ count: 3, oldest: now });
    });

    it('requeues a send that did not leave, ends it once it did, and records its Email Sent event', async () => {
      const { store, project } = current();
      const { send } = await store.emails.createSend(newSend(project.id));
      expect(await store.emails.claimForSending(project.id, send.id, T0 + 1)).toBe('claimed');
      await store.emails.requeue(project.id, send.id, 'attempt 1 failed: 421', T0 + 2);
      expect(await store.emails.getSend(project.id, send.id)).toMatchObject({ status: 'queued', reason: 'attempt 1 failed: 421', sendingAt: null, updatedAt: T0 + 2 });
      // Only a send that is sending goes back: a queued one is left as it is.
      await store.emails.requeue(project.id, send.id, 'again', T0 + 3);
      expect(await store.emails.getSend(project.id, send.id)).toMatchObject({ reason: 'attempt 1 failed: 421', updatedAt: T0 + 2 });

      expect(await store.emails.claimForSending(project.id, send.id, T0 + 4)).toBe('claimed');
      await store.emails.finish(project.id, send.id, { status: 'sent', reason: null }, T0 + 5);
      expect(await store.emails.getSend(project.id, send.id)).toMatchObject({ status: 'sent', reason: null, sendingAt: T0 + 4, sentAt: T0 + 5, updatedAt: T0 + 5 });
      await store.emails.requeue(project.id, send.id, 'too late', T0 + 6);
      expect((await store.emails.getSend(project.id, send.id))!.status).toBe('sent');
      expect(await store.emails.claimForSending(project.id, send.id, T0 + 6)).toBe('taken');

      const failed = (await store.emails.createSend(newSend(project.id))).send;
      await store.emails.finish(project.id, failed.id, { status: 'suppressed', reason: 'on the suppression list' }, T0 + 7);
      expect(await store.emails.getSend(project.id, failed.id)).toMatchObject({ status: 'suppressed', reason: 'on the suppression list', sentAt: null });

      expect(await store.emailSends.findSend(send.id)).toMatchObject({ sentEventId: null });
      await store.emails.setSentEvent(project.id, send.id, `email-sent-${send.id}`);
      expect(await store.emailSends.findSend(send.id)).toMatchObject({ sentEventId: `email-sent-${send.id}` });
    });

    it('finds the sends still open before a time, across projects, oldest first', async () => {
      const { store, project } = current();
      const queued = (await store.emails.createSend(newSend(project.id, { createdAt: T0 + 2 }))).send;
      const sending = (await store.emails.createSend(newSend('another-project', { createdAt: T0 + 1 }))).send;
      await store.emails.claimForSending('another-project', sending.id, T0 + 3);
      const sent = (await store.emails.createSend(newSend(project.id, { createdAt: T0 }))).send;
      await store.emails.finish(project.id, sent.id, { status: 'sent', reason: null }, T0 + 3);
      await store.emails.createSend(newSend(project.id, { createdAt: T0 + 10 }));
      expect((await store.emails.queuedBefore(T0 + 10, 100)).map((s) => s.id)).toEqual([sending.id, queued.id]);
      expect((await store.emails.queuedBefore(T0 + 10, 1)).map((s) => s.id)).toEqual([sending.id]);
    });

    it('tells tracking what it needs of a send by its id alone', async () => {
      const { store, project } = current();
      const { send } = await store.emails.createSend(newSend(project.id, { personId: 'p-1', to: 'Ann@Example.com', templateId: 't-9', rootId: 'root-3' }));
      expect(await store.emailSends.findSend(send.id)).toEqual({
        projectId: project.id,
        personId: 'p-1',
        sentEventId: null,
        links: ['https://acme.test/a', 'https://acme.test/b?x=1'],
        toEmail: 'Ann@Example.com',
        templateId: 't-9',
        rootId: 'root-3',
      });
      const bare = (await store.emails.createSend(newSend(project.id, { links: [] }))).send;
      expect(await store.emailSends.findSend(bare.id)).toMatchObject({ personId: null, links: [], templateId: null, rootId: null });
      expect(await store.emailSends.findSend('no-such-send')).toBeNull();
    });
  });

  describe('the outbox', () => {
    it('keeps a mail whole, finds it by send, and pages newest first', async () => {
      const { store, project } = current();
      const mail = {
        projectId: project.id,
        sendId: 'send-x',
        messageId: '<send-x@acme.test>',
        from: 'hello@acme.test',
        to: 'ada@example.com',
        subject: 'Welcome',
        headers: { 'Message-ID': '<send-x@acme.test>', Subject: 'Welcome' },
        text: 'Hi',
        html: null,
        attachments: [{ name: 'a.pdf', type: 'application/pdf', content: 'JVBERg==', size: 4 }],
        raw: 'Subject: Welcome\r\n\r\nHi\r\n',
        createdAt: T0,
      };
      const kept = await store.emails.addToOutbox(mail);
      expect(kept).toEqual({ ...mail, id: kept.id });
      expect(await store.emails.getOutbox(project.id, kept.id)).toEqual(kept);
      expect(await store.emails.outboxBySend(project.id, 'send-x')).toEqual(kept);
      expect(await store.emails.outboxBySend(project.id, 'send-y')).toBeNull();
      expect(await store.emails.getOutbox('another-project', kept.id)).toBeNull();

      const second = await store.emails.addToOutbox({ ...mail, sendId: 'send-2', subject: 'Two', createdAt: T0 + 1000 });
      const third = await store.emails.addToOutbox({ ...mail, sendId: 'send-3', subject: 'Three', createdAt: T0 + 2000 });
      const page = await store.emails.listOutbox(project.id, { limit: 2, cursor: null });
      expect(page.items.map((m) => m.id)).toEqual([third.id, second.id]);
      const rest = await store.emails.listOutbox(project.id, { limit: 2, cursor: page.nextCursor });
      expect(rest).toEqual({ items: [kept], nextCursor: null });
    });
  });

  describe('sending domains', () => {
    it('keeps one domain per name with its DKIM key, and records checks and when it was first verified', async () => {
      const { store, project } = current();
      const key = { selector: 'hark1', publicKey: 'MIIBIjAN-public', privateKey: '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n' };
      const added = await store.emails.addDomain({ id: 'd-1', projectId: project.id, domain: 'mail.acme.test', ...key, createdAt: T0 });
      expect(added).toEqual({ id: 'd-1', projectId: project.id, domain: 'mail.acme.test', ...key, verified: false, checks: [], checkedAt: null, verifiedAt: null, createdAt: T0 });
      expect(await store.emails.addDomain({ id: 'd-2', projectId: project.id, domain: 'mail.acme.test', ...key, createdAt: T0 })).toBeNull();
      await store.emails.addDomain({ id: 'd-3', projectId: project.id, domain: 'acme.test', ...key, createdAt: T0 });
      expect(await store.emails.addDomain({ id: 'd-4', projectId: 'another-project', domain: 'acme.test', ...key, createdAt: T0 })).not.toBeNull();
      expect((await store.emails.listDomains(project.id)).map((d) => d.domain)).toEqual(['acme.test', 'mail.acme.test']);
      expect(await store.emails.domainByName(project.id, 'mail.acme.test')).toEqual(added);
      expect(await store.emails.domainByName(project.id, 'other.test')).toBeNull();

      const failing = [{ record: 'dkim' as const, ok: false, found: ['v=DKIM1; p=other'] }, { record: 'spf' as const, ok: true, found: ['v=spf1 -all'] }];
      expect(await store.emails.saveDomainChecks(project.id, 'd-1', failing, false, T0 + 1)).toMatchObject({ verified: false, checks: failing, checkedAt: T0 + 1, verifiedAt: null });
      const passing = failing.map((c) => ({ ...c, ok: true }));
      expect(await store.emails.saveDomainChecks(project.id, 'd-1', passing, true, T0 + 2)).toMatchObject({ verified: true, checks: passing, checkedAt: T0 + 2, verifiedAt: T0 + 2 });
      // Checked again and still good: verified since the first time.
      expect(await store.emails.saveDomainChecks(project.id, 'd-1', passing, true, T0 + 3)).toMatchObject({ verified: true, checkedAt: T0 + 3, verifiedAt: T0 + 2 });
      expect(await store.emails.saveDomainChecks(project.id, 'd-1', failing, false, T0 + 4)).toMatchObject({ verified: false, verifiedAt: null });
      expect(await store.emails.saveDomainChecks(project.id, 'no-such-domain', passing, true, T0 + 4)).toBeNull();

      expect(await store.emails.removeDomain(project.id, 'd-1')).toBe(true);
      expect(await store.emails.removeDomain(project.id, 'd-1')).toBe(false);
      expect(await store.emails.getDomain(project.id, 'd-1')).toBeNull();
      expect(await store.emails.getDomain(project.id, 'd-3')).toMatchObject({ domain: 'acme.test' });
    });
  });

  describe('invalid addresses and email settings', () => {
    it('remembers the first reason an address was refused for good, per project', async () => {
      const { store, project } = current();
      expect(await store.emails.invalidReason(project.id, 'gone@example.com')).toBeNull();
      await store.emails.markInvalid(project.id, 'gone@example.com', '550 5.1.1 No such user', T0);
      await store.emails.markInvalid(project.id, 'gone@example.com', '551 later', T0 + 1);
      expect(await store.emails.invalidReason(project.id, 'gone@example.com')).toBe('550 5.1.1 No such user');
      expect(await store.emails.invalidReason('another-project', 'gone@example.com')).toBeNull();
    });

    it('answers the defaults until set, and changes only the fields given', async () => {
      const { store, project } = current();
      expect(await store.emails.settings(project.id)).toEqual({ sendsPerMinute: 600, defaultFrom: null });
      expect(await store.emails.updateSettings(project.id, { defaultFrom: 'Acme <hello@acme.test>' })).toEqual({ sendsPerMinute: 600, defaultFrom: 'Acme <hello@acme.test>' });
      expect(await store.emails.updateSettings(project.id, { sendsPerMinute: 5 })).toEqual({ sendsPerMinute: 5, defaultFrom: 'Acme <hello@acme.test>' });
      expect(await store.emails.updateSettings(project.id, { defaultFrom: null })).toEqual({ sendsPerMinute: 5, defaultFrom: null });
      expect(await store.emails.settings(project.id)).toEqual({ sendsPerMinute: 5, defaultFrom: null });
      expect(await store.emails.settings('another-project')).toEqual({ sendsPerMinute: 600, defaultFrom: null });
    });
  });
}
