import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeUserHash } from '../src/identity/user-hash.js';
import { startCollector, storeKinds, type TestCollector } from './harness.js';
import { ask, at, batch, createMessage, DAY, identify, ids, interaction, patchMessage, rowCounts, showTo, track, whyNot } from './message-helpers.js';

// Every answer holds on both stores: on PostgreSQL eligibility's reads are one statement
// (postgres-eligibility-facts.ts), on SQLite four function calls.
describe.each(storeKinds())('eligibility on $name', ({ url }) => {
  let hark: TestCollector;
  beforeEach(async () => {
    hark = await startCollector({ postgres: url });
  });
  afterEach(async () => {
    await hark.close();
  });

  describe('asking for messages', () => {
    it('gives a visitor it has never seen the live messages, and writes nothing while answering', async () => {
      const message = await createMessage(hark, { content: { title: 'Hi {{name|there}}', body: 'Welcome to {{company.name|our app}}.' } });
      await createMessage(hark, { name: 'Draft', status: 'draft' });
      const before = await rowCounts(hark);

      const response = await ask(hark, { anonymousId: 'never-seen', url: 'https://example.com/' });
      expect(response.messages).toEqual([
        {
          id: message.id,
          deliveryId: expect.stringMatching(/^dlv_/),
          kind: 'notification',
          priority: 0,
          content: { title: 'Hi there', body: 'Welcome to our app.' },
          appearance: message.appearance,
          trigger: { type: 'page_view' },
        },
      ]);
      await ask(hark, { anonymousId: 'never-seen', userId: 'never-seen-user', debug: '1' });
      expect(await rowCounts(hark)).toEqual(before);
    });

    it('hands out the same delivery id on every poll until the message is shown, then a new one', async () => {
      await createMessage(hark, { conditions: { frequency: { type: 'until_answered' } } });
      const first = await ask(hark, { anonymousId: 'poller' });
      const again = await ask(hark, { anonymousId: 'poller' });
      expect(again.messages[0]!.deliveryId).toBe(first.messages[0]!.deliveryId);

      await batch(hark, interaction({ anonymousId: 'poller' }, 'shown', first.messages[0]!));
      const next = await ask(hark, { anonymousId: 'poller' });
      expect(next.messages[0]!.deliveryId).not.toBe(first.messages[0]!.deliveryId);
      expect((await ask(hark, { anonymousId: 'poller' })).messages[0]!.deliveryId).toBe(next.messages[0]!.deliveryId);
    });

    it('fills traits into the text, and URL-encodes them into a button link', async () => {
      await batch(hark, identify({ userId: 'u-ana' }, { name: 'Ana', company: { name: 'Acme & Co' } }));
      await createMessage(hark, {
        kind: 'cta',
        content: { title: 'Hi {{ name | there }}', body: '{{company.name}} is on {{plan|the free plan}}.', buttonLabel: 'Go', url: 'https://example.com/up?c={{company.name}}' },
      });
      const [message] = (await ask(hark, { userId: 'u-ana' })).messages;
      expect(message!.content).toMatchObject({
        title: 'Hi Ana',
        body: 'Acme & Co is on the free plan.',
        url: 'https://example.com/up?c=Acme%20%26%20Co',
      });
    });

    it('takes the write key as HTTP Basic user too, and answers any origin without a pre-flight', async () => {
      await createMessage(hark);
      const basic = `Basic ${Buffer.from(`${hark.project.writeKey}:`).toString('base64')}`;
      const res = await hark.app.request('/v1/messages?anonymousId=a', { headers: { authorization: basic, origin: 'https://customer.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('answers bad requests with a clear 4xx', async () => {
      expect((await hark.app.request('/v1/messages?anonymousId=a')).status).toBe(401);
      expect((await hark.app.request('/v1/messages?anonymousId=a&writeKey=hk_w_wrong')).status).toBe(401);
      const noId = await hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&anonymousId=null`);
      expect(noId.status).toBe(400);
      expect((await noId.json()).error.code).toBe('missing_id');
      expect((await hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&anonymousId=a&url=${'x'.repeat(3000)}`)).status).toBe(400);
      expect((await hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&anonymousId=${'a'.repeat(300)}`)).status).toBe(400);
    });

    it('orders messages by priority, highest first, and older first among equals', async () => {
      const low = await createMessage(hark, { name: 'low', priority: -5 });
      hark.clock.advance(1);
      const olderTie = await createMessage(hark, { name: 'tie-old', priority: 10 });
      hark.clock.advance(1);
      const high = await createMessage(hark, { name: 'high', priority: 50 });
      hark.clock.advance(1);
      const newerTie = await createMessage(hark, { name: 'tie-new', priority: 10 });
      expect(ids(await ask(hark, { anonymousId: 'prio' }))).toEqual([high.id, olderTie.id, newerTie.id, low.id]);
    });
  });

  describe('audience', () => {
    it('reaches only the contact kinds it names', async () => {
      const visitors = await createMessage(hark, { name: 'visitors', conditions: { audience: { kinds: ['visitor'] } } });
      const leads = await createMessage(hark, { name: 'leads', conditions: { audience: { kinds: ['lead'] } } });
      const users = await createMessage(hark, { name: 'users', conditions: { audience: { kinds: ['user'] } } });
      const everyone = await createMessage(hark, { name: 'everyone' });

      await batch(hark, track({ anonymousId: 'lead-1' }, 'Newsletter Signup', { email: 'lead@example.com' }));
      await batch(hark, identify({ userId: 'user-1' }));

      expect(ids(await ask(hark, { anonymousId: 'stranger' }))).toEqual([visitors.id, everyone.id]);
      expect(ids(await ask(hark, { anonymousId: 'lead-1' }))).toEqual([leads.id, everyone.id]);
      expect(ids(await ask(hark, { userId: 'user-1' }))).toEqual([users.id, everyone.id]);
      // A user id the collector has not stored yet (identify still in flight) is a user already.
      expect(ids(await ask(hark, { userId: 'user-not-yet-stored', anonymousId: 'stranger' }))).toEqual([users.id, everyone.id]);
      expect(whyNot(await ask(hark, { anonymousId: 'stranger', debug: '1' }), users.id)).toBe('audience: the person is a visitor; the audience is user');
    });

    it('compares traits with equals, contains, exists, greater than and less than', async () => {
      await batch(hark, identify({ userId: 'trait-user' }, { plan: 'pro', seats: 12, company: { name: 'Acme Corp' }, tags: ['beta', 'vip'], nickname: '' }));
      const make = (name: string, trait: string, op: string, value?: unknown) =>
        createMessage(hark, { name, conditions: { audience: { traits: [{ trait, op, ...(value === undefined ? {} : { value }) }] } } });
      const yes = [
        await make('plan equals pro', 'plan', 'equals', 'pro'),
        await make('seats equals "12"', 'seats', 'equals', '12'),
        await make('company contains acme', 'company.name', 'contains', 'ACME'),
        await make('tags contains vip', 'tags', 'contains', 'vip'),
        await make('plan exists', 'plan', 'exists'),
        await make('seats gt 10', 'seats', 'gt', 10),
        await make('seats lt 20', 'seats', 'lt', 20),
      ];
      const no = [
        await make('plan equals free', 'plan', 'equals', 'free'),
        await make('company contains globex', 'company.name', 'contains', 'globex'),
        await make('nickname exists', 'nickname', 'exists'),
        await make('missing exists', 'missing', 'exists'),
        await make('seats gt 12', 'seats', 'gt', 12),
        await make('seats lt 12', 'seats', 'lt', 12),
        await make('plan gt 1', 'plan', 'gt', 1),
      ];
      const response = await ask(hark, { userId: 'trait-user', debug: '1' });
      expect(ids(response)).toEqual(yes.map((m) => m.id));
      expect(response.debug!.excluded.map((e) => e.id)).toEqual(no.map((m) => m.id));
      expect(whyNot(response, no[0]!.id)).toBe('audience: trait condition not met: plan equals "free"');
      // A visitor with no traits matches none of them.
      expect(ids(await ask(hark, { anonymousId: 'no-traits' }))).toEqual([]);
    });

    it('counts events performed at least N times within the last T days', async () => {
      const message = await createMessage(hark, { conditions: { audience: { events: [{ event: 'Created Report', atLeast: 3, withinDays: 7 }] } } });
      const who = { anonymousId: 'reporter' };
      await batch(hark, track(who, 'Created Report', {}, at(-10 * DAY)), track(who, 'Created Report', {}, at(-2 * DAY)), track(who, 'Created Report', {}, at(-1 * DAY)));
      const tooOld = await ask(hark, { ...who, debug: '1' });
      expect(ids(tooOld)).toEqual([]);
      expect(whyNot(tooOld, message.id)).toBe('audience: "Created Report" done 2 times in the last 7 days; the audience needs at least 3');

      await batch(hark, track(who, 'Created Report', {}, at(-60_000)));
      expect(ids(await ask(hark, who))).toEqual([message.id]);

      // Eight days later the early ones fall out of the window again.
      hark.clock.advance(8 * DAY);
      expect(ids(await ask(hark, who))).toEqual([]);
    });

    it('counts events over all time when no window is given, and needs every rule to hold', async () => {
      const message = await createMessage(hark, {
        conditions: { audience: { events: [{ event: 'Signed Up', atLeast: 1 }, { event: 'Invited Teammate', atLeast: 2, withinDays: 30 }] } },
      });
      const who = { anonymousId: 'both-rules' };
      await batch(hark, track(who, 'Signed Up', {}, at(-400 * DAY)), track(who, 'Invited Teammate', {}, at(-DAY)));
      expect(ids(await ask(hark, who))).toEqual([]);
      await batch(hark, track(who, 'Invited Teammate', {}, at(-1000)));
      expect(ids(await ask(hark, who))).toEqual([message.id]);
    });
  });

  describe('suppression list', () => {
    const suppress = (body: unknown) =>
      hark.admin('/api/v1/suppressions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('keeps every message from a suppressed user id or email, until they are removed from the list', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'until_answered' } } });
      await batch(hark, identify({ userId: 'quiet-user' }), identify({ userId: 'mail-user' }, { email: 'Quiet@Example.com' }));

      const added = await suppress({ userIds: ['quiet-user'], emails: [' QUIET@example.com '] });
      expect(await added.json()).toEqual({ added: 2, alreadyPresent: 0 });
      expect(await (await suppress({ userIds: ['quiet-user'] })).json()).toEqual({ added: 0, alreadyPresent: 1 });

      for (const userId of ['quiet-user', 'mail-user']) {
        const response = await ask(hark, { userId, debug: '1' });
        expect(ids(response)).toEqual([]);
        expect(whyNot(response, message.id)).toBe('suppression: the person is on the suppression list');
      }
      // Even before the collector has stored anything about the user id.
      expect(ids(await ask(hark, { userId: 'quiet-user', anonymousId: 'fresh-device' }))).toEqual([]);
      expect(ids(await ask(hark, { userId: 'someone-else' }))).toEqual([message.id]);

      expect((await hark.admin('/api/v1/suppressions?email=quiet@example.com', { method: 'DELETE' })).status).toBe(204);
      expect(ids(await ask(hark, { userId: 'mail-user' }))).toEqual([message.id]);
      expect((await hark.admin('/api/v1/suppressions?email=quiet@example.com', { method: 'DELETE' })).status).toBe(404);
    });

    it('lists the suppression list in pages, by type', async () => {
      await suppress({ userIds: ['u3', 'u1', 'u2'], emails: ['b@example.com', 'a@example.com'] });
      const first = await (await hark.admin('/api/v1/suppressions?limit=3')).json();
      expect(first.items.map((s: { type: string; value: string }) => `${s.type}:${s.value}`)).toEqual(['email:a@example.com', 'email:b@example.com', 'userId:u1']);
      const second = await (await hark.admin(`/api/v1/suppressions?limit=3&cursor=${first.nextCursor}`)).json();
      expect(second.items.map((s: { value: string }) => s.value)).toEqual(['u2', 'u3']);
      expect(second.nextCursor).toBeNull();
      const emails = await (await hark.admin('/api/v1/suppressions?type=email')).json();
      expect(emails.items).toHaveLength(2);
    });

    it('refuses bad suppression entries with field errors and changes nothing', async () => {
      const res = await suppress({ userIds: ['ok', ''], emails: ['not-an-email'] });
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields).toEqual({ 'userIds.1': 'must not be empty' });
      const email = await suppress({ emails: ['fine@example.com', 'nope'] });
      expect((await email.json()).error.fields).toEqual({ 'emails.1': 'must be an email address' });
      expect((await suppress({})).status).toBe(400);
      expect((await hark.admin('/api/v1/suppressions', { method: 'DELETE' })).status).toBe(400);
      expect((await (await hark.admin('/api/v1/suppressions')).json()).items).toEqual([]);
    });
  });

  describe('schedule', () => {
    it('shows a message only between its start and end, read in the time zone it was given in', async () => {
      // The test clock starts at 2026-11-21T12:00Z, which is 13:00 in Paris and 07:00 in New York.
      const paris = await createMessage(hark, { name: 'paris', conditions: { schedule: { start: '2026-11-21T13:30', end: '2026-11-21T15:00', timeZone: 'Europe/Paris' } } });
      const newYork = await createMessage(hark, { name: 'ny', conditions: { schedule: { start: '2026-11-21T07:00', timeZone: 'America/New_York' } } });
      const who = { anonymousId: 'scheduled' };

      const early = await ask(hark, { ...who, debug: '1' });
      expect(ids(early)).toEqual([newYork.id]);
      expect(whyNot(early, paris.id)).toBe('schedule: starts at 2026-11-21T12:30:00.000Z');

      hark.clock.advance(30 * 60_000);
      expect(ids(await ask(hark, who))).toEqual([paris.id, newYork.id]);

      hark.clock.advance(90 * 60_000);
      const late = await ask(hark, { ...who, debug: '1' });
      expect(ids(late)).toEqual([newYork.id]);
      expect(whyNot(late, paris.id)).toBe('schedule: ended at 2026-11-21T14:00:00.000Z');
    });
  });

  describe('page rules', () => {
    const rule = (match: string, value: string, mode = 'include') => ({ conditions: { page: { rules: [{ mode, match, value }] } } });

    it('matches the page URL with equals, contains, starts with, glob and regex', async () => {
      const equals = await createMessage(hark, { name: 'equals', ...rule('equals', '/pricing') });
      const equalsAbsolute = await createMessage(hark, { name: 'equals-abs', ...rule('equals', 'https://EXAMPLE.com/pricing') });
      const contains = await createMessage(hark, { name: 'contains', ...rule('contains', 'plan=team') });
      const startsWith = await createMessage(hark, { name: 'starts', ...rule('starts_with', '/docs/') });
      const glob = await createMessage(hark, { name: 'glob', ...rule('glob', '/blog/*/comments') });
      const regex = await createMessage(hark, { name: 'regex', ...rule('regex', '^https://example\\.com/(a|b)/\\d+$') });
      const page = async (url: string) => ids(await ask(hark, { anonymousId: 'pager', url }));

      expect(await page('https://example.com/pricing/?plan=team#faq')).toEqual([equals.id, equalsAbsolute.id, contains.id]);
      expect(await page('https://example.com/pricing-old')).toEqual([]);
      expect(await page('https://other.com/pricing')).toEqual([equals.id]);
      expect(await page('https://example.com/docs/start')).toEqual([startsWith.id]);
      expect(await page('https://example.com/blog/2026/hello/comments')).toEqual([glob.id]);
      expect(await page('https://example.com/blog/hello')).toEqual([]);
      expect(await page('https://example.com/b/42')).toEqual([regex.id]);
      expect(await page('https://example.com/b/42x')).toEqual([]);
    });

    it('leaves a message out on excluded pages, and on pages none of its include rules name', async () => {
      const message = await createMessage(hark, {
        conditions: {
          page: {
            rules: [
              { mode: 'include', match: 'starts_with', value: '/app' },
              { mode: 'include', match: 'equals', value: '/pricing' },
              { mode: 'exclude', match: 'glob', value: '/app/*/settings' },
            ],
          },
        },
      });
      const page = async (url: string) => ask(hark, { anonymousId: 'pager', url, debug: '1' });
      expect(ids(await page('https://example.com/app/42/reports'))).toEqual([message.id]);
      expect(ids(await page('https://example.com/pricing'))).toEqual([message.id]);
      expect(whyNot(await page('https://example.com/app/42/settings'), message.id)).toBe('page: the url is excluded by rule glob "/app/*/settings"');
      expect(whyNot(await page('https://example.com/blog'), message.id)).toBe('page: the url matches none of the include rules');
      const noUrl = await ask(hark, { anonymousId: 'pager', debug: '1' });
      expect(whyNot(noUrl, message.id)).toBe('page: the message has page rules and the request gave no url');
    });

    it('shows a message with only exclude rules everywhere else', async () => {
      const message = await createMessage(hark, rule('contains', '/checkout', 'exclude'));
      expect(ids(await ask(hark, { anonymousId: 'x', url: 'https://shop.example/cart' }))).toEqual([message.id]);
      expect(ids(await ask(hark, { anonymousId: 'x', url: 'https://shop.example/checkout/pay' }))).toEqual([]);
    });
  });

  describe('triggers', () => {
    it('tells the App to wait for a delay or for a named event, with its property filter', async () => {
      const delayed = await createMessage(hark, { name: 'delayed', conditions: { trigger: { type: 'delay', seconds: 20 } } });
      const onEvent = await createMessage(hark, {
        name: 'on export',
        conditions: { trigger: { type: 'event', event: 'Report Exported', where: [{ property: 'format', op: 'equals', value: 'pdf' }] } },
      });
      const response = await ask(hark, { anonymousId: 'trigger' });
      expect(response.messages.map((m) => [m.id, m.trigger])).toEqual([
        [delayed.id, { type: 'delay', seconds: 20 }],
        [onEvent.id, { type: 'event', event: 'Report Exported', where: [{ property: 'format', op: 'equals', value: 'pdf' }] }],
      ]);
    });

    it('answers only the messages an event triggers when the App asks right after that event', async () => {
      const onLoad = await createMessage(hark, { name: 'on load' });
      const onExport = await createMessage(hark, { name: 'on export', conditions: { trigger: { type: 'event', event: 'Report Exported' } } });
      const onInvite = await createMessage(hark, { name: 'on invite', conditions: { trigger: { type: 'event', event: 'Invited Teammate' } } });
      const response = await ask(hark, { anonymousId: 'trigger', event: 'Report Exported', debug: '1' });
      expect(ids(response)).toEqual([onExport.id]);
      expect(whyNot(response, onLoad.id)).toBe('trigger: asked for messages triggered by "Report Exported"; this one shows on page view');
      expect(whyNot(response, onInvite.id)).toBe('trigger: asked for messages triggered by "Report Exported"; this one waits for "Invited Teammate"');
    });

    it('names the events that trigger live messages, so the App knows after which track calls to ask again', async () => {
      expect((await ask(hark, { anonymousId: 'trigger' })).triggerEvents).toEqual([]);
      await createMessage(hark, { name: 'on load' });
      await createMessage(hark, { name: 'on export', conditions: { trigger: { type: 'event', event: 'Report Exported' } } });
      await createMessage(hark, { name: 'on export too', conditions: { trigger: { type: 'event', event: 'Report Exported' } } });
      const leadsOnly = await createMessage(hark, {
        name: 'on invite, leads only',
        conditions: { audience: { kinds: ['lead'] }, trigger: { type: 'event', event: 'Invited Teammate' } },
      });
      await createMessage(hark, { name: 'paused', status: 'paused', conditions: { trigger: { type: 'event', event: 'Paused Event' } } });

      // Every live trigger is named, even one this visitor may not see, and even when asked for one event.
      expect((await ask(hark, { anonymousId: 'trigger' })).triggerEvents).toEqual(['Report Exported', 'Invited Teammate']);
      expect((await ask(hark, { anonymousId: 'trigger', event: 'Report Exported' })).triggerEvents).toEqual(['Report Exported', 'Invited Teammate']);

      expect((await patchMessage(hark, leadsOnly.id, { status: 'paused' })).status).toBe(200);
      expect((await ask(hark, { anonymousId: 'trigger' })).triggerEvents).toEqual(['Report Exported']);
    });
  });

  describe('frequency caps', () => {
    const who = { anonymousId: 'capped' };

    it('shows a "once" message a single time, however many polls came before', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'once' } } });
      await ask(hark, who);
      await ask(hark, who);
      await showTo(hark, who, message.id);
      const after = await ask(hark, { ...who, debug: '1' });
      expect(ids(after)).toEqual([]);
      expect(whyNot(after, message.id)).toBe('frequency: already shown once');
    });

    it('keeps showing an "until answered" message after dismissals, and stops once it is answered', async () => {
      const message = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' }, conditions: { frequency: { type: 'until_answered' } } });
      for (let i = 0; i < 3; i++) {
        const shown = await showTo(hark, who, message.id);
        await batch(hark, interaction(who, 'dismissed', shown));
      }
      const shown = await showTo(hark, who, message.id);
      await batch(hark, interaction(who, 'answered', shown, { value: 5 }));
      const after = await ask(hark, { ...who, debug: '1' });
      expect(whyNot(after, message.id)).toBe('frequency: already answered');
    });

    it('spaces an "until answered" message by its interval and caps it by its maximum', async () => {
      const message = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' }, conditions: { frequency: { type: 'until_answered', everyDays: 2, maxTimes: 2 } } });
      await showTo(hark, who, message.id);
      expect(ids(await ask(hark, who))).toEqual([]);
      hark.clock.advance(2 * DAY);
      await showTo(hark, who, message.id, {}, at(2 * DAY));
      hark.clock.advance(2 * DAY);
      expect(whyNot(await ask(hark, { ...who, debug: '1' }), message.id)).toBe('frequency: already shown 2 times; at most 2');
    });

    it('shows an "every N days" message again once N days have passed since it was last shown', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'every_n_days', days: 3, maxTimes: 2 } } });
      const first = await showTo(hark, who, message.id);
      hark.clock.advance(3 * DAY - 60_000);
      expect(whyNot(await ask(hark, { ...who, debug: '1' }), message.id)).toBe(`frequency: shown ${at(0)}; shows again after 3 days`);
      hark.clock.advance(60_000);
      const second = await showTo(hark, who, message.id, {}, at(3 * DAY));
      expect(second.deliveryId).not.toBe(first.deliveryId);
      hark.clock.advance(30 * DAY);
      expect(whyNot(await ask(hark, { ...who, debug: '1' }), message.id)).toBe('frequency: already shown 2 times; at most 2');
    });

    it('shows an "at most N times" message N times, counting every render across tabs', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'at_most', times: 3 } } });
      // Two tabs poll before either renders: same delivery, rendered twice, counted twice.
      const tabA = (await ask(hark, who)).messages[0]!;
      const tabB = (await ask(hark, who)).messages[0]!;
      expect(tabB.deliveryId).toBe(tabA.deliveryId);
      await batch(hark, interaction(who, 'shown', tabA), interaction(who, 'shown', tabB));
      expect(ids(await ask(hark, who))).toEqual([message.id]);
      await showTo(hark, who, message.id);
      expect(whyNot(await ask(hark, { ...who, debug: '1' }), message.id)).toBe('frequency: already shown 3 times; at most 3');
    });

    it('counts a resent Message Shown event once, since the collector dedupes by messageId', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'at_most', times: 2 } } });
      const delivery = (await ask(hark, who)).messages[0]!;
      const event = interaction(who, 'shown', delivery);
      await batch(hark, event);
      await hark.send('/v1/batch', { batch: [event] });
      expect(ids(await ask(hark, who))).toEqual([message.id]);
    });

    it('holds caps across devices once the person is identified', async () => {
      const message = await createMessage(hark, { conditions: { frequency: { type: 'once' } } });
      await batch(hark, identify({ userId: 'multi-device', anonymousId: 'laptop' }));
      await showTo(hark, { userId: 'multi-device', anonymousId: 'laptop' }, message.id);
      await batch(hark, identify({ userId: 'multi-device', anonymousId: 'phone' }));
      expect(ids(await ask(hark, { userId: 'multi-device', anonymousId: 'phone' }))).toEqual([]);
      expect(ids(await ask(hark, { anonymousId: 'phone' }))).toEqual([]);
    });
  });

  describe('debug mode', () => {
    it('says for each message left out which check it failed first, in the order the collector checks', async () => {
      await batch(hark, identify({ userId: 'debugger' }, { plan: 'free' }));
      const audience = await createMessage(hark, { name: 'audience', conditions: { audience: { traits: [{ trait: 'plan', op: 'equals', value: 'pro' }] } } });
      const schedule = await createMessage(hark, { name: 'schedule', conditions: { schedule: { start: '2027-01-01T00:00', timeZone: 'UTC' } } });
      const page = await createMessage(hark, { name: 'page', conditions: { page: { rules: [{ mode: 'include', match: 'equals', value: '/elsewhere' }] } } });
      const frequency = await createMessage(hark, { name: 'frequency' });
      await showTo(hark, { userId: 'debugger' }, frequency.id, { url: 'https://example.com/here' });
      // Failing both audience and schedule reports audience, the first check.
      const both = await createMessage(hark, { name: 'both', conditions: { audience: { kinds: ['visitor'] }, schedule: { end: '2026-01-01T00:00', timeZone: 'UTC' } } });
      const shown = await createMessage(hark, { name: 'shown' });

      const response = await ask(hark, { userId: 'debugger', url: 'https://example.com/here', debug: '1' });
      expect(ids(response)).toEqual([shown.id]);
      expect(response.debug!.personId).toEqual(expect.any(String));
      expect(response.debug!.excluded).toEqual([
        { id: audience.id, name: 'audience', stage: 'audience', reason: 'trait condition not met: plan equals "pro"' },
        { id: schedule.id, name: 'schedule', stage: 'schedule', reason: 'starts at 2027-01-01T00:00:00.000Z' },
        { id: page.id, name: 'page', stage: 'page', reason: 'the url matches none of the include rules' },
        { id: frequency.id, name: 'frequency', stage: 'frequency', reason: 'already shown once' },
        { id: both.id, name: 'both', stage: 'audience', reason: 'the person is a user; the audience is visitor' },
      ]);
      expect((await ask(hark, { userId: 'debugger' })).debug).toBeUndefined();
    });
  });

  describe('identity verification and allowed origins', () => {
    async function settings(patch: Record<string, unknown>): Promise<string> {
      const res = await hark.admin('/api/v1/project', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
      expect(res.status).toBe(200);
      return (await res.json()).verificationSecret as string;
    }

    it('does not show a verified person\'s messages, or their traits, to someone who only claims their user id', async () => {
      const secret = await settings({ identityVerification: 'verify' });
      await batch(hark, identify({ userId: 'vip', anonymousId: 'vip-laptop', userHash: computeUserHash(secret, 'vip') }, { plan: 'enterprise', name: 'Vera' }));
      const message = await createMessage(hark, {
        content: { title: 'Hello {{name|stranger}}' },
        conditions: { audience: { traits: [{ trait: 'plan', op: 'equals', value: 'enterprise' }] } },
      });

      expect(ids(await ask(hark, { userId: 'vip', anonymousId: 'attacker-browser' }))).toEqual([]);
      const proven = await ask(hark, { userId: 'vip', anonymousId: 'vip-phone', userHash: computeUserHash(secret, 'vip') });
      expect(proven.messages.map((m) => m.content.title)).toEqual(['Hello Vera']);
      // Her anonymous id alone (a cookie value anyone who saw it can send) reaches her, but
      // without her traits: no trait-targeted message, and no trait filled into any text (issue 9).
      expect(ids(await ask(hark, { userId: 'vip', anonymousId: 'vip-laptop' }))).toEqual([]);
      const everyone = await createMessage(hark, { content: { title: 'Hello {{name|stranger}}' } });
      const byCookie = await ask(hark, { anonymousId: 'vip-laptop' });
      expect(byCookie.messages.map((m) => [m.id, m.content.title])).toEqual([[everyone.id, 'Hello stranger']]);
      // Her own browser, sending the userHash the host page gave it, gets everything.
      const own = await ask(hark, { userId: 'vip', anonymousId: 'vip-laptop', userHash: computeUserHash(secret, 'vip') });
      expect(own.messages.map((m) => m.content.title).sort()).toEqual(['Hello Vera', 'Hello Vera']);
    });

    it('refuses an unproven user id when the project enforces verification', async () => {
      const secret = await settings({ identityVerification: 'enforce' });
      await createMessage(hark);
      const refused = await hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&userId=u1&userHash=${'0'.repeat(64)}`);
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.code).toBe('verification_required');
      expect((await ask(hark, { userId: 'u1', userHash: computeUserHash(secret, 'u1') })).messages).toHaveLength(1);
      expect((await ask(hark, { anonymousId: 'still-anonymous' })).messages).toHaveLength(1);
    });

    it('answers browsers only from the allowed origins, when the project names them', async () => {
      await settings({ allowedOrigins: ['https://app.customer.example'] });
      await createMessage(hark);
      const from = (origin: string) => hark.app.request(`/v1/messages?writeKey=${hark.project.writeKey}&anonymousId=a`, { headers: { origin } });
      expect((await from('https://app.customer.example')).status).toBe(200);
      expect((await from('https://evil.example')).status).toBe(403);
    });
  });
});
