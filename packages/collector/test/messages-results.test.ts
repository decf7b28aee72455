import type { MessageResults } from '@hark/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from './harness.js';
import { ask, at, batch, createMessage, DAY, identify, ids, interaction, rowCounts, showTo, track, whyNot, type Who } from './message-helpers.js';

let hark: TestCollector;
beforeEach(async () => {
  hark = await startCollector();
});
afterEach(async () => {
  await hark.close();
});

async function results(messageId: string, query = ''): Promise<MessageResults> {
  const res = await hark.admin(`/api/v1/messages/${messageId}/results${query}`);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Polls, renders and reacts the way the App would for one visitor. */
async function visit(who: Who, messageId: string, reaction: 'dismissed' | 'clicked' | null, answer: Record<string, unknown> | null, timestamp = at(0)) {
  const shown = await showTo(hark, who, messageId, {}, timestamp);
  if (reaction) await batch(hark, interaction(who, reaction, shown, {}, timestamp));
  if (answer) await batch(hark, interaction(who, 'answered', shown, answer, timestamp));
  return shown;
}

describe('survey results', () => {
  it('counts shown, dismissed and answered, and gives the 1–5 distribution and mean of known answers', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'How likely are you to recommend us?', followUp: 'Why?' } });
    await visit({ anonymousId: 'v1' }, survey.id, null, { value: 5, text: 'Fast and simple' });
    await visit({ anonymousId: 'v2' }, survey.id, null, { value: 4 });
    await visit({ anonymousId: 'v3' }, survey.id, null, { value: '4' });
    await visit({ anonymousId: 'v4' }, survey.id, null, { value: 2 });
    await visit({ anonymousId: 'v5' }, survey.id, 'dismissed', null);

    const r = await results(survey.id);
    expect(r).toMatchObject({
      messageId: survey.id,
      from: null,
      to: null,
      shown: 5,
      clicked: 0,
      dismissed: 1,
      answered: 4,
      answerRate: 0.8,
      survey: { distribution: { '1': 0, '2': 1, '3': 0, '4': 2, '5': 1 }, mean: 3.75 },
    });
    expect(r.answers!.items.map((a) => [a.value, a.text])).toEqual(
      expect.arrayContaining([[5, 'Fast and simple'], [4, null], [4, null], [2, null]]),
    );
  });

  it('keeps the grade when the follow-up text arrives in a second answer event', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us', followUp: 'Why?' } });
    const shown = await visit({ anonymousId: 'two-step' }, survey.id, null, { value: 3 });
    await batch(hark, interaction({ anonymousId: 'two-step' }, 'answered', shown, { text: 'Docs are thin' }));
    const r = await results(survey.id);
    expect(r.answered).toBe(1);
    expect(r.answers!.items).toEqual([expect.objectContaining({ value: 3, text: 'Docs are thin' })]);
  });

  it('ignores answers that carry no usable grade or text, instead of counting them', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' } });
    await visit({ anonymousId: 'bad-grade' }, survey.id, null, { value: 9 });
    await visit({ anonymousId: 'no-grade' }, survey.id, null, { value: '' });
    const r = await results(survey.id);
    expect(r).toMatchObject({ shown: 2, answered: 0, answerRate: 0, survey: { mean: null } });
  });

  it('limits every count to the time range asked for', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' }, conditions: { frequency: { type: 'every_n_days', days: 1 } } });
    const who = { anonymousId: 'over-time' };
    await visit(who, survey.id, null, { value: 1 }, at(0));
    hark.clock.advance(2 * DAY);
    await visit(who, survey.id, null, { value: 5 }, at(2 * DAY));
    hark.clock.advance(2 * DAY);
    await visit(who, survey.id, 'dismissed', null, at(4 * DAY));

    const all = await results(survey.id);
    expect(all).toMatchObject({ shown: 3, answered: 2, dismissed: 1, survey: { distribution: { '1': 1, '5': 1 }, mean: 3 } });
    const middle = await results(survey.id, `?from=${at(DAY)}&to=${at(3 * DAY)}`);
    expect(middle).toMatchObject({ from: at(DAY), to: at(3 * DAY), shown: 1, answered: 1, dismissed: 0, answerRate: 1, survey: { mean: 5 } });
    expect(middle.answers!.items.map((a) => a.value)).toEqual([5]);
    const since = await results(survey.id, `?from=${at(3 * DAY)}`);
    expect(since).toMatchObject({ shown: 1, answered: 0, dismissed: 1 });
  });

  it('refuses a time range it cannot read', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' } });
    const res = await hark.admin(`/api/v1/messages/${survey.id}/results?from=yesterday&to=2026-01-01`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toEqual({ from: expect.stringContaining('ISO-8601') });
    const backwards = await hark.admin(`/api/v1/messages/${survey.id}/results?from=2026-02-01&to=2026-01-01`);
    expect((await backwards.json()).error.fields).toEqual({ to: 'must be after from' });
    expect((await hark.admin('/api/v1/messages/nope/results')).status).toBe(404);
  });
});

describe('input answers', () => {
  it('lists who answered what, newest first, in pages', async () => {
    const input = await createMessage(hark, { kind: 'input', content: { title: 'What should we build next?', inputType: 'text' } });
    await batch(hark, identify({ userId: 'u-zoe', anonymousId: 'zoe-device' }, { name: 'Zoé', email: 'zoe@example.com' }));
    await visit({ userId: 'u-zoe', anonymousId: 'zoe-device' }, input.id, null, { value: 'Dark mode' }, at(1000));
    await visit({ anonymousId: 'quiet-visitor' }, input.id, null, { value: '  Slack integration  ' }, at(2000));
    await visit({ anonymousId: 'third' }, input.id, null, { value: 'CSV export' }, at(3000));
    await visit({ anonymousId: 'no-answer' }, input.id, 'dismissed', null, at(4000));

    const first = await results(input.id, '?limit=2');
    expect(first).toMatchObject({ shown: 4, answered: 3, dismissed: 1, answerRate: 0.75, survey: null });
    expect(first.answers!.items.map((a) => a.text)).toEqual(['CSV export', 'Slack integration']);
    const second = await results(input.id, `?limit=2&cursor=${first.answers!.nextCursor}`);
    expect(second.answers!.nextCursor).toBeNull();
    expect(second.answers!.items).toEqual([
      {
        deliveryId: expect.stringMatching(/^dlv_/),
        person: { id: expect.any(String), email: 'zoe@example.com', name: 'Zoé', userId: 'u-zoe' },
        value: 'Dark mode',
        text: 'Dark mode',
        answeredAt: at(1000),
      },
    ]);
    expect((await hark.admin(`/api/v1/messages/${input.id}/results?cursor=not-a-cursor`)).status).toBe(400);
  });

  it('gives an input answer as value, the text typed, as docs/MESSAGES.md says (and as text too), while a survey keeps its grade in value', async () => {
    const input = await createMessage(hark, { kind: 'input', content: { title: 'What should we build next?', inputType: 'text' } });
    const survey = await createMessage(hark, { name: 'nps', kind: 'survey', content: { title: 'How likely?' } });
    await visit({ anonymousId: 'typist' }, input.id, null, { value: 'An API for exports' });
    await visit({ anonymousId: 'grader' }, survey.id, null, { value: 4, text: 'Fast' });

    expect((await results(input.id)).answers!.items).toEqual([expect.objectContaining({ value: 'An API for exports', text: 'An API for exports' })]);
    expect((await results(survey.id)).answers!.items).toEqual([expect.objectContaining({ value: 4, text: 'Fast' })]);
  });

  it('turns an anonymous visitor who gives their email into a lead with that email', async () => {
    const input = await createMessage(hark, { kind: 'input', content: { title: 'Get the newsletter', inputType: 'email', submitLabel: 'Subscribe' } });
    const who = { anonymousId: 'newsletter-visitor' };
    await visit(who, input.id, null, { value: 'Reader@Example.com', email: 'Reader@Example.com' });

    const person = await (await hark.admin('/api/v1/people/lookup?anonymousId=newsletter-visitor')).json();
    expect(person).toMatchObject({ kind: 'lead', email: 'reader@example.com' });
    expect(person.identities).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'email', value: 'reader@example.com' })]));
    const r = await results(input.id);
    expect(r.answers!.items).toEqual([expect.objectContaining({ text: 'Reader@Example.com', person: expect.objectContaining({ id: person.id, email: 'reader@example.com' }) })]);
    // The answer is on the person's activity timeline as an ordinary event.
    const activity = await (await hark.admin(`/api/v1/people/${person.id}/activity`)).json();
    expect(activity.items.map((item: { name: string }) => item.name)).toEqual(['Message Answered', 'Message Shown']);
    // And now they are a lead, a lead-only message reaches them.
    const leadsOnly = await createMessage(hark, { name: 'leads', conditions: { audience: { kinds: ['lead'] } } });
    expect(ids(await ask(hark, who))).toEqual([leadsOnly.id]);
  });
});

describe('cta and notification interactions', () => {
  it('counts clicks on a call to action', async () => {
    const cta = await createMessage(hark, { kind: 'cta', content: { title: 'New: reports', buttonLabel: 'See them', url: 'https://example.com/reports' } });
    await visit({ anonymousId: 'clicker' }, cta.id, 'clicked', null);
    await visit({ anonymousId: 'ignorer' }, cta.id, 'dismissed', null);
    expect(await results(cta.id)).toMatchObject({ shown: 2, clicked: 1, dismissed: 1, answered: 0, survey: null, answers: null });
  });
});

describe('identify after answering', () => {
  it('keeps caps and results attributed when an anonymous visitor who answered logs in', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' }, conditions: { frequency: { type: 'until_answered' } } });
    // The user already exists with their own history, so identify is a real merge.
    await batch(hark, identify({ userId: 'u-max' }, { name: 'Max', email: 'max@example.com' }));
    const anonymous = { anonymousId: 'max-before-login' };
    await visit(anonymous, survey.id, null, { value: 2 });
    const visitorId = (await (await hark.admin('/api/v1/people/lookup?anonymousId=max-before-login')).json()).id;

    await batch(hark, identify({ userId: 'u-max', anonymousId: 'max-before-login' }));
    const user = await (await hark.admin('/api/v1/people/lookup?userId=u-max')).json();
    expect(user.mergedFrom).toEqual([visitorId]);

    // The cap holds for the user, on this device and on any other.
    const response = await ask(hark, { userId: 'u-max', anonymousId: 'max-before-login', debug: '1' });
    expect(whyNot(response, survey.id)).toBe('frequency: already answered');
    expect(ids(await ask(hark, { userId: 'u-max', anonymousId: 'max-phone' }))).toEqual([]);

    // And the answer is the user's.
    const r = await results(survey.id);
    expect(r.answers!.items).toEqual([expect.objectContaining({ value: 2, person: { id: user.id, email: 'max@example.com', name: 'Max', userId: 'u-max' } })]);
  });

  it('accepts interactions for a delivery handed out before login and sent after it', async () => {
    const survey = await createMessage(hark, { kind: 'survey', content: { title: 'Rate us' }, conditions: { frequency: { type: 'at_most', times: 1 } } });
    await batch(hark, identify({ userId: 'u-late' }), track({ anonymousId: 'late-device' }, 'Viewed Page'));
    const delivery = (await ask(hark, { anonymousId: 'late-device' })).messages[0]!;
    await batch(hark, identify({ userId: 'u-late', anonymousId: 'late-device' }));
    await batch(hark, interaction({ userId: 'u-late', anonymousId: 'late-device' }, 'shown', delivery), interaction({ userId: 'u-late' }, 'answered', delivery, { value: 4 }));
    expect(await results(survey.id)).toMatchObject({ shown: 1, answered: 1 });
    expect(ids(await ask(hark, { userId: 'u-late' }))).toEqual([]);
  });
});

describe('interaction events that do not fit', () => {
  it('stores but does not count an interaction naming someone else\'s delivery', async () => {
    const message = await createMessage(hark, { conditions: { frequency: { type: 'at_most', times: 5 } } });
    const victim = await showTo(hark, { anonymousId: 'victim' }, message.id);
    const res = await batch(hark, interaction({ anonymousId: 'attacker' }, 'dismissed', victim), interaction({ anonymousId: 'attacker' }, 'shown', victim));
    expect(res.accepted).toBe(2);
    expect(await results(message.id)).toMatchObject({ shown: 1, dismissed: 0 });
  });

  it('stores interactions for unknown messages as plain events without inventing deliveries', async () => {
    const before = await rowCounts(hark);
    const res = await batch(hark, interaction({ anonymousId: 'ghost' }, 'shown', { id: 'no-such-message', deliveryId: 'dlv_made_up' }), track({ anonymousId: 'ghost' }, 'Message Shown', {}));
    expect(res.accepted).toBe(2);
    const after = await rowCounts(hark);
    expect(after.events).toBe((before.events ?? 0) + 2);
    expect(after.deliveries).toBe(0);
  });

  it('records a showing sent without a delivery id, as a server-side library would', async () => {
    const message = await createMessage(hark, { conditions: { frequency: { type: 'at_most', times: 2 } } });
    const who = { userId: 'server-side' };
    await batch(hark, interaction(who, 'shown', { id: message.id }), interaction(who, 'dismissed', { id: message.id }));
    expect(await results(message.id)).toMatchObject({ shown: 1, dismissed: 1 });
    await batch(hark, interaction(who, 'shown', { id: message.id }));
    expect(whyNot(await ask(hark, { ...who, debug: '1' }), message.id)).toBe('frequency: already shown 2 times; at most 2');
    expect(await results(message.id)).toMatchObject({ shown: 2 });
  });

  it('forgets the deliveries of a deleted message', async () => {
    const message = await createMessage(hark);
    await showTo(hark, { anonymousId: 'del' }, message.id);
    expect((await rowCounts(hark)).deliveries).toBe(1);
    await hark.admin(`/api/v1/messages/${message.id}`, { method: 'DELETE' });
    expect((await rowCounts(hark)).deliveries).toBe(0);
  });
});
