import { afterEach, describe, expect, it } from 'vitest';
import { addTracking } from '../src/email/track-links.js';
import { dayOf, emptyFacts, evaluateRule, factsNeeded, nextChangeAt, validateRule, type Rule } from '../src/rules/index.js';
import { adminJson } from './audience-helpers.js';
import { writeSentEmailRow } from './email-send-fixture.js';
import { mid, startCollector, type TestCollector } from './harness.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const DAY = 86_400_000;

describe('email rule leaves', () => {
  const facts = emptyFacts({
    eventDays: new Map([['Email Opened', new Map([[dayOf(NOW) - 3, 2]])]]),
    eventOccurrences: new Map([['Email Clicked', [{ timestamp: NOW - 10 * DAY, properties: { templateId: 't-welcome', url: 'https://a.test' } }]]]),
  });

  it('holds when any email was opened in the window, from the daily event counts', () => {
    expect(evaluateRule({ type: 'email', op: 'opened', window: { lastDays: 7 } }, facts, NOW)).toBe(true);
    expect(evaluateRule({ type: 'email', op: 'opened', window: { lastDays: 3 } }, facts, NOW)).toBe(false);
    expect(evaluateRule({ type: 'email', op: 'opened' }, facts, NOW)).toBe(true);
    expect(factsNeeded({ type: 'email', op: 'opened', window: { lastDays: 7 } })).toMatchObject({ events: new Set(['Email Opened']), timed: true });
    // Three days ago leaves a 7-day window at the start of the day 4 days from now.
    expect(nextChangeAt({ type: 'email', op: 'opened', window: { lastDays: 7 } }, facts, NOW)).toBe((dayOf(NOW) + 4) * DAY);
  });

  it('holds for a clicked email from one template only when that template was clicked', () => {
    expect(evaluateRule({ type: 'email', op: 'clicked', template: 't-welcome', window: { lastDays: 30 } }, facts, NOW)).toBe(true);
    expect(evaluateRule({ type: 'email', op: 'clicked', template: 't-other', window: { lastDays: 30 } }, facts, NOW)).toBe(false);
    expect(evaluateRule({ type: 'email', op: 'clicked', template: 't-welcome', window: { lastDays: 7 } }, facts, NOW)).toBe(false);
    expect(factsNeeded({ type: 'email', op: 'clicked', template: 't-welcome' }).eventOccurrences).toEqual(new Set(['Email Clicked']));
  });

  it('refuses a malformed email leaf with every problem by path', () => {
    const result = validateRule({ and: [{ type: 'email', op: 'bounced', template: '', window: { lastDays: 0 }, extra: 1 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.fields).toEqual({
        'rules.and.0.op': 'must be one of opened, clicked',
        'rules.and.0.template': 'must not be empty',
        'rules.and.0.window.lastDays': 'must be a whole number of days from 1 to 3650',
        'rules.and.0.extra': 'is not a known field',
      });
    }
    expect(validateRule({ type: 'email', op: 'clicked', template: 't1', window: { lastDays: 14 } } satisfies Rule).ok).toBe(true);
  });
});

describe('email rule leaves on a segment', () => {
  let hark: TestCollector | null = null;
  afterEach(async () => {
    await hark?.close();
    hark = null;
  });

  it('a click on a tracked link puts the contact in a "clicked template X in the last 7 days" segment, and time takes them out', async () => {
    hark = await startCollector();
    const api = adminJson(hark);
    await hark.send('/v1/batch', { batch: [{ type: 'identify', messageId: mid(), userId: 'u-ann', traits: { email: 'ann@example.com' } }] });
    const ann = (await api.get('/api/v1/people/lookup?userId=u-ann')).body as { id: string };
    const secret = (await hark.store.findProjectById(hark.project.id))!.settings.linkSecret;
    const tracked = addTracking('<a href="https://shop.test/">Shop</a>', { sendId: 'send-1', baseUrl: 'https://hark.test', secret });
    writeSentEmailRow(hark.dbPath, { id: 'send-1', projectId: hark.project.id, personId: ann.id, sentEventId: 'sent-1', links: tracked.links, templateId: 't-welcome' });

    const created = await api.post('/api/v1/segments', { name: 'Clicked welcome', rules: { type: 'email', op: 'clicked', template: 't-welcome', window: { lastDays: 7 } } });
    expect(created.status).toBe(201);
    const other = await api.post('/api/v1/segments', { name: 'Clicked other', rules: { type: 'email', op: 'clicked', template: 't-other' } });
    await hark.store.segments.idle();
    const members = async (id: string) => ((await api.get(`/api/v1/segments/${id}/people`)).body.items as { userId: string }[]).map((p) => p.userId);
    expect(await members(created.body.id)).toEqual([]);

    const click = /https:\/\/hark\.test(\/e\/c\/[^"]+)"/.exec(tracked.html)![1]!;
    expect((await hark.app.request(click)).status).toBe(302);
    await hark.store.segments.idle();
    expect(await members(created.body.id)).toEqual(['u-ann']);
    expect(await members(other.body.id)).toEqual([]);

    hark.clock.advance(8 * DAY);
    await hark.store.segments.sweepDue(hark.clock.now());
    await hark.store.segments.idle();
    expect(await members(created.body.id)).toEqual([]);
  });
});
